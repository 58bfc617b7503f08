// The jpqd model file (format/model_file_spec.h) through ModelFile::from_bytes and ModelFile::open, and
// its metadata through ModelMetadata::from_json. Most mutations would only exercise the checksum, so
// each input is also tried with its trailer replaced by the right checksum, which lets the fuzzer reach
// the header, table, overlap and metadata checks.
#include <cstdint>
#include <cstring>
#include <string>

#include "common/checksum.h"
#include "common/error.h"
#include "format/model_file.h"
#include "format/model_metadata.h"
#include "fuzz_support.h"

namespace {

using jpqd::format::ModelFile;

void check(const ModelFile& file) {
  const auto* begin = static_cast<const unsigned char*>(file.tensors().empty() ? nullptr : file.tensors()[0].data) -
                      (file.tensors().empty() ? 0 : file.tensors()[0].file_offset);
  for (const auto& t : file.tensors()) {
    JPQD_FUZZ_ASSERT(t.file_offset + t.size_bytes <= file.file_size() - jpqd::format::kTrailerSize);
    JPQD_FUZZ_ASSERT(static_cast<const unsigned char*>(t.data) == begin + t.file_offset);
    JPQD_FUZZ_ASSERT(t.numel() * jpqd::format::dtype_size(t.dtype) == t.size_bytes);
    JPQD_FUZZ_ASSERT(file.find(t.name) == &t);
    // Touch the first and last payload byte: ASan reports a view outside the storage.
    if (t.size_bytes > 0) {
      volatile unsigned char sink = t.as<unsigned char>()[0] ^ t.as<unsigned char>()[t.size_bytes - 1];
      (void)sink;
    }
  }
  try {
    const auto metadata = jpqd::format::ModelMetadata::from_json(file.metadata(), file.path());
    // What we accept we must be able to write back and read again identically.
    const auto again = jpqd::format::ModelMetadata::from_json(metadata.to_json(), "round trip");
    JPQD_FUZZ_ASSERT(again.to_json() == metadata.to_json());
  } catch (const jpqd::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    check(ModelFile::from_bytes(bytes, "input"));
  } catch (const jpqd::Error&) {
  }
  if (size < jpqd::format::kHeaderSize + jpqd::format::kTrailerSize) return 0;
  const uint64_t sum = jpqd::fnv1a64(bytes.data(), size - jpqd::format::kTrailerSize);
  std::memcpy(&bytes[size - jpqd::format::kTrailerSize], &sum, sizeof(sum));  // little-endian host
  try {
    check(ModelFile::from_bytes(bytes, "input"));
  } catch (const jpqd::Error&) {
  }
  try {
    check(ModelFile::open(jpqd::fuzz::write_scratch("model.jpqd", bytes)));
  } catch (const jpqd::Error&) {
  }
  return 0;
}
