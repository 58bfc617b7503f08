// Model file round trip and rejection of damaged files. The damaged files are made by patching the
// bytes of a valid file (recomputing the checksum when the structural check, not the checksum,
// must catch the damage).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "common/checksum.h"
#include "common/error.h"
#include "common/file_io.h"
#include "format/model_file.h"
#include "format/model_writer.h"

namespace jpqd::format {
namespace {

ModelWriter small_writer() {
  ModelWriter w(Json{{"hello", "world"}, {"n", 3}});
  std::vector<float> a = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, -8.5f};
  std::vector<int8_t> b = {-128, 127, 0, 5};
  std::vector<int64_t> c = {1LL << 40, -3};
  w.add_tensor("a", DType::kF32, {2, 3}, a);
  w.add_tensor("b", DType::kS8, {4}, b);
  w.add_tensor("empty", DType::kF32, {0, 4}, nullptr, 0);
  w.add_tensor("c", DType::kI64, {2}, c);
  return w;
}

uint64_t u64_at(const std::string& s, size_t at) {
  uint64_t v;
  std::memcpy(&v, s.data() + at, 8);
  return v;
}
void set_u64(std::string& s, size_t at, uint64_t v) { std::memcpy(&s[at], &v, 8); }
void set_u32(std::string& s, size_t at, uint32_t v) { std::memcpy(&s[at], &v, 4); }
void fix_checksum(std::string& s) { set_u64(s, s.size() - 8, fnv1a64(s.data(), s.size() - 8)); }

// Byte position of the offset field of table entry `index`.
size_t offset_field(const std::string& s, int index) {
  size_t pos = kHeaderSize + u64_at(s, 16);
  for (int i = 0;; ++i) {
    uint32_t name_size, rank;
    std::memcpy(&name_size, s.data() + pos, 4);
    pos += 4 + name_size + 4;
    std::memcpy(&rank, s.data() + pos, 4);
    pos += 4 + 8 * rank;
    if (i == index) return pos;
    pos += 16;
  }
}

std::string error_of(const std::string& bytes) {
  try {
    ModelFile::from_bytes(bytes, "m.jpqd");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ModelFile, RoundTripThroughDisk) {
  // Per process: ctest runs two tests at a time.
  const std::string path =
      (std::filesystem::temp_directory_path() / ("jpqd_format_roundtrip_" + std::to_string(::getpid()) + ".jpqd"))
          .string();
  small_writer().write(path);
  ModelFile f = ModelFile::open(path);
  EXPECT_EQ(f.format_version(), kFormatVersion);
  EXPECT_EQ(f.metadata()["hello"], "world");
  EXPECT_EQ(f.metadata()["n"], 3);
  ASSERT_EQ(f.tensors().size(), 4u);
  const TensorView& a = f.get("a");
  EXPECT_EQ(a.dtype, DType::kF32);
  EXPECT_EQ(a.shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(a.as<float>()[2], 3.25f);
  EXPECT_EQ(a.as<float>()[5], -8.5f);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data) % kBlobAlignment, 0u);
  EXPECT_EQ(f.get("b").as<int8_t>()[0], -128);
  EXPECT_EQ(f.get("b").as<int8_t>()[1], 127);
  EXPECT_EQ(f.get("empty").numel(), 0u);
  EXPECT_EQ(f.get("c").as<int64_t>()[0], 1LL << 40);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(f.get("c").data) % kBlobAlignment, 0u);
  EXPECT_EQ(f.find("nope"), nullptr);
  EXPECT_THROW(f.get("nope"), FormatError);
  EXPECT_EQ(f.file_size(), std::filesystem::file_size(path));
  std::filesystem::remove(path);
}

TEST(ModelFile, WriterRejectsSizeShapeMismatchAndDuplicates) {
  ModelWriter w(Json::object());
  std::vector<float> v(5);
  EXPECT_THROW(w.add_tensor("x", DType::kF32, {2, 3}, v), InvalidArgument);
  w.add_tensor("x", DType::kF32, {5}, v);
  EXPECT_THROW(w.add_tensor("x", DType::kF32, {5}, v), InvalidArgument);
  EXPECT_THROW(ModelWriter(Json::array()), InvalidArgument);
}

TEST(ModelFile, RejectsTruncatedFileNamingTheTensor) {
  const std::string good = small_writer().serialize();
  // Cut inside the payload of "c", the last tensor.
  const ModelFile f = ModelFile::from_bytes(good, "m.jpqd");
  const uint64_t c_at = f.get("c").file_offset;
  const std::string err = error_of(good.substr(0, c_at + 3));
  EXPECT_NE(err.find("tensor c: payload truncated at byte " + std::to_string(c_at + 3)), std::string::npos) << err;
  // Cut inside the checksum, and inside the header.
  EXPECT_NE(error_of(good.substr(0, good.size() - 1)).find("truncated"), std::string::npos);
  EXPECT_NE(error_of(good.substr(0, 20)).find("truncated"), std::string::npos);
  EXPECT_NE(error_of("").find("truncated"), std::string::npos);
}

TEST(ModelFile, RejectsEveryBitFlipInABlobByte) {
  const std::string good = small_writer().serialize();
  const ModelFile f = ModelFile::from_bytes(good, "m.jpqd");
  const size_t at = f.get("a").file_offset + 5;
  std::string bad = good;
  bad[at] ^= 0x10;
  EXPECT_NE(error_of(bad).find("checksum mismatch"), std::string::npos);
  // Flips in the metadata are caught too.
  bad = good;
  bad[kHeaderSize + 2] ^= 0x01;
  EXPECT_NE(error_of(bad).find("checksum mismatch"), std::string::npos);
}

TEST(ModelFile, RejectsOtherVersionsAndBadMagic) {
  std::string bad = small_writer().serialize();
  set_u32(bad, 8, kFormatVersion + 1);
  fix_checksum(bad);
  EXPECT_NE(error_of(bad).find("unsupported format version 2"), std::string::npos) << error_of(bad);
  bad = small_writer().serialize();
  bad[0] = 'X';
  EXPECT_NE(error_of(bad).find("bad magic"), std::string::npos);
}

TEST(ModelFile, RejectsOverlappingPayloads) {
  std::string bad = small_writer().serialize();
  // Point "b" (entry 1) at the payload of "a" (entry 0).
  set_u64(bad, offset_field(bad, 1), u64_at(bad, offset_field(bad, 0)));
  fix_checksum(bad);
  const std::string err = error_of(bad);
  EXPECT_NE(err.find("overlaps tensor"), std::string::npos) << err;
}

TEST(ModelFile, RejectsOutOfBoundsAndMisalignedOffsets) {
  std::string bad = small_writer().serialize();
  set_u64(bad, offset_field(bad, 3), 1ULL << 20);
  fix_checksum(bad);
  std::string err = error_of(bad);
  EXPECT_NE(err.find("tensor c: payload truncated"), std::string::npos) << err;

  bad = small_writer().serialize();
  set_u64(bad, offset_field(bad, 3), UINT64_MAX - 63);  // aligned, would overflow offset + size
  fix_checksum(bad);
  err = error_of(bad);
  EXPECT_NE(err.find("tensor c: payload truncated"), std::string::npos) << err;

  bad = small_writer().serialize();
  set_u64(bad, offset_field(bad, 1), u64_at(bad, offset_field(bad, 1)) + 4);
  fix_checksum(bad);
  err = error_of(bad);
  EXPECT_NE(err.find("tensor b: payload offset"), std::string::npos) << err;
  EXPECT_NE(err.find("not a multiple of 64"), std::string::npos) << err;
}

TEST(ModelFile, RejectsSizeThatDisagreesWithShape) {
  std::string bad = small_writer().serialize();
  const size_t size_field = offset_field(bad, 0) + 8;
  set_u64(bad, size_field, 20);  // "a" is 2x3 f32 = 24 bytes
  fix_checksum(bad);
  const std::string err = error_of(bad);
  EXPECT_NE(err.find("tensor a: shape [2, 3] of f32 needs 24 bytes, the table says 20"), std::string::npos) << err;
}

TEST(ModelFile, RejectsHugeCountsWithoutAllocating) {
  std::string bad = small_writer().serialize();
  set_u64(bad, 24, UINT64_MAX);  // tensor_count
  fix_checksum(bad);
  EXPECT_NE(error_of(bad).find("cannot fit"), std::string::npos);
  bad = small_writer().serialize();
  set_u64(bad, 16, UINT64_MAX - 10);  // metadata_size
  fix_checksum(bad);
  EXPECT_NE(error_of(bad).find("overflows"), std::string::npos) << error_of(bad);
}

TEST(ModelFile, OpenMissingFileIsAnIoError) {
  EXPECT_THROW(ModelFile::open("/nonexistent/dir/model.jpqd"), IoError);
}

}  // namespace
}  // namespace jpqd::format
