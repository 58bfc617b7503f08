// The translation unit that owns the shared precompiled <torch/torch.h> (cmake/jpqd_helpers.cmake); it
// compiles to nothing.
