// model.safetensors.index.json through read_sharded_safetensors, next to two valid shards: the index
// decides which files are opened, so names like "../x" or "/etc/passwd" must be refused.
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "common/error.h"
#include "fuzz_support.h"
#include "model/safetensors.h"

namespace {

void write_shards() {
  static bool done = false;
  if (done) return;
  namespace m = jpqd::model;
  m::write_safetensors(jpqd::fuzz::scratch_dir() + "/shard-1.safetensors",
                       {{"a", torch::arange(6, torch::kFloat32).reshape({2, 3})}, {"b", torch::ones({2}, torch::kHalf)}});
  m::write_safetensors(jpqd::fuzz::scratch_dir() + "/shard-2.safetensors", {{"c", torch::zeros({3}, torch::kInt64)}});
  done = true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  write_shards();
  const std::string path = jpqd::fuzz::write_scratch("model.safetensors.index.json", data, size);
  try {
    const auto tensors = jpqd::model::read_sharded_safetensors(path);
    for (const auto& [name, tensor] : tensors) JPQD_FUZZ_ASSERT(name == "a" || name == "b" || name == "c");
  } catch (const jpqd::Error&) {
  }
  return 0;
}
