// Reads pytorch_model.bin: a state dict written by Python's torch.save (the zip format of PyTorch >= 1.6).
//
// LibTorch 1.13's torch::pickle_load cannot read it (it trips an internal assert on the OrderedDict that
// state_dict() returns), so this is a small reader of its own: the zip container through LibTorch's
// PyTorchStreamReader, and a pickle interpreter for the subset torch.save emits for a state dict
// (protocol 2: OrderedDict, _rebuild_tensor_v2 / _rebuild_parameter, storages as persistent ids).
// It never executes anything: any other global is rejected, and every storage view is bounds-checked
// against its record before it is read.
#pragma once

#include <string>

#include "model/safetensors.h"

namespace jpqd::model {

// Tensors of the state dict in file order (owning their memory, contiguous). Throws FormatError naming
// the file (and the key) for anything that is not a flat name -> tensor dictionary.
NamedTensors read_torch_state_dict(const std::string& path);

}  // namespace jpqd::model
