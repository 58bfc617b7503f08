// A mask buffer in its own submodule, so state-dict names read like NNCF's
// ("<layer>.sparsifier.weight_ctx._binary_mask", "<layer>.sparsifier.bias_ctx._binary_mask").
#pragma once

#include <torch/torch.h>

namespace jpqd::compression {

class BinaryMaskImpl : public torch::nn::Module {
 public:
  explicit BinaryMaskImpl(at::IntArrayRef shape) { mask_ = register_buffer("_binary_mask", torch::ones(shape)); }

  const torch::Tensor& get() const { return mask_; }
  // Copies in place so the registered buffer (and everything holding it) sees the new values.
  void set(const torch::Tensor& mask) {
    torch::NoGradGuard no_grad;
    TORCH_CHECK(mask.sizes() == mask_.sizes(), "binary mask: shape ", mask.sizes(), " instead of ", mask_.sizes());
    mask_.copy_(mask.detach());
  }

 private:
  torch::Tensor mask_;
};
TORCH_MODULE(BinaryMask);

}  // namespace jpqd::compression
