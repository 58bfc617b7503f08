// model.safetensors through read_safetensors_file: header length, JSON header, dtypes, shapes and
// data offsets are all the file's word. Accepted tensors must be exactly what the header promised.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "fuzz_support.h"
#include "model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = jpqd::fuzz::write_scratch("model.safetensors", data, size);
  try {
    const auto file = jpqd::model::read_safetensors_file(path);
    uint64_t total = 0;
    for (const auto& [name, tensor] : file.tensors) {
      JPQD_FUZZ_ASSERT(!name.empty() && tensor.is_contiguous());
      total += tensor.numel() * tensor.element_size();
    }
    JPQD_FUZZ_ASSERT(total <= size);
  } catch (const jpqd::Error&) {
  }
  return 0;
}
