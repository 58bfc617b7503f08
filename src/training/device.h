// Where training runs: --device cpu | cuda | cuda:N (HF's --no_cuda maps to cpu). Nothing else in
// training names a device; tensors follow the model.
#pragma once

#include <torch/torch.h>

#include <string>

#include "training/distributed/distributed_env.h"

namespace jpqd::training {

// "cuda" means cuda:LOCAL_RANK, so each rank of a machine takes its own GPU. Throws InvalidArgument when
// CUDA is asked for but this LibTorch has no CUDA or sees no such GPU.
torch::Device resolve_device(const std::string& device, const DistributedEnv& env);

}  // namespace jpqd::training
