// pytorch_model.bin (torch.save's zip) through read_torch_state_dict. Byte 0 picks the mode:
//   even: the rest is the whole file (zip container, records, then the pickle);
//   odd:  the rest is data.pkl, zipped here with two storage records ("0": 64 bytes, "1": 8 bytes), so
//         mutations reach our pickle interpreter instead of stopping at the zip's CRC check.
#include <caffe2/serialize/inline_container.h>
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "common/error.h"
#include "fuzz_support.h"
#include "model/torch_bin.h"

namespace {

std::string zip_pickle(const std::string& pickle) {
  std::string out;
  caffe2::serialize::PyTorchStreamWriter writer([&out](const void* buf, size_t n) {
    out.append(static_cast<const char*>(buf), n);
    return n;
  });
  std::string storage0(64, '\0'), storage1(8, '\0');
  for (size_t i = 0; i < storage0.size(); ++i) storage0[i] = static_cast<char>(i);
  writer.writeRecord("data.pkl", pickle.data(), pickle.size());
  writer.writeRecord("data/0", storage0.data(), storage0.size());
  writer.writeRecord("data/1", storage1.data(), storage1.size());
  writer.writeEndOfFile();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  jpqd::fuzz::ByteReader in(data, size);
  const bool pickle_only = in.byte() & 1;
  std::string bytes = in.rest();
  if (pickle_only) bytes = zip_pickle(bytes);
  const std::string path = jpqd::fuzz::write_scratch("pytorch_model.bin", bytes);
  try {
    const auto tensors = jpqd::model::read_torch_state_dict(path);
    for (const auto& [name, tensor] : tensors) JPQD_FUZZ_ASSERT(tensor.is_contiguous());
  } catch (const jpqd::Error&) {
  }
  return 0;
}
