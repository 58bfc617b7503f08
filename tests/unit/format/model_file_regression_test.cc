// Inputs found by fuzzing (fuzz/model_file_fuzzer.cc) that once escaped ModelFile as something other
// than a jpqd::Error.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "common/checksum.h"
#include "common/error.h"
#include "format/model_file.h"
#include "format/model_writer.h"

namespace jpqd::format {
namespace {

// Metadata holding a number beyond double's range (the fuzzer found "1e312"): nlohmann throws
// out_of_range.406 for it, which used to escape parse_json and terminate the runtime. The checksum is
// made right so that the metadata, not the checksum, is what must be rejected.
TEST(ModelFileRegression, MetadataNumberBeyondDoubleRangeIsAFormatError) {
  ModelWriter writer(Json{{"x", 1.5e300}});
  std::vector<float> a = {1.0f, 2.0f};
  writer.add_tensor("a", DType::kF32, {2}, a);
  std::string bytes = writer.serialize();
  const size_t at = bytes.find("e+300");
  ASSERT_NE(at, std::string::npos) << "the writer no longer prints the number this way; adapt the patch";
  bytes.replace(at, 5, "e+312");
  const uint64_t sum = fnv1a64(bytes.data(), bytes.size() - 8);
  std::memcpy(&bytes[bytes.size() - 8], &sum, 8);
  try {
    ModelFile::from_bytes(bytes, "hostile.jpqd");
    FAIL() << "accepted metadata with 1.5e312";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("hostile.jpqd: metadata"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace jpqd::format
