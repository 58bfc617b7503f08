#include "training/device.h"

#include <optional>

#include "common/error.h"

namespace jpqd::training {

torch::Device resolve_device(const std::string& device, const DistributedEnv& env) {
  if (device == "cpu") return torch::kCPU;
  std::optional<torch::Device> parsed;
  try {
    parsed = torch::Device(device == "cuda" ? "cuda:" + std::to_string(env.local_rank) : device);
  } catch (const std::exception&) {
    throw InvalidArgument(str_cat("--device: \"", device, "\" is not cpu, cuda or cuda:N"));
  }
  JPQD_CHECK(parsed->is_cuda(), InvalidArgument, "--device: \"", device, "\" is not cpu, cuda or cuda:N");
  JPQD_CHECK(torch::cuda::is_available(), InvalidArgument, "--device ", device,
             ": this LibTorch build has no CUDA or sees no GPU; use --device cpu (or --no_cuda)");
  const auto gpus = static_cast<int64_t>(torch::cuda::device_count());
  JPQD_CHECK(parsed->index() < gpus, InvalidArgument, "--device ", device, ": GPU ", parsed->index(),
             " does not exist (", gpus, " visible)");
  return *parsed;
}

}  // namespace jpqd::training
