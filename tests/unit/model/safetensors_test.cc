#include "model/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "common/error.h"
#include "model_test_util.h"

namespace jpqd::model {
namespace {

std::string write_raw(const std::string& dir, const std::string& header, const std::string& data,
                      int64_t declared_len = -1) {
  const std::string path = dir + "/hostile.safetensors";
  std::ofstream out(path, std::ios::binary);
  uint64_t n = declared_len < 0 ? header.size() : static_cast<uint64_t>(declared_len);
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
  out << header << data;
  return path;
}

void expect_format_error(const std::string& path, const std::string& fragment) {
  try {
    read_safetensors(path);
    ADD_FAILURE() << "accepted a hostile file, expected: " << fragment;
  } catch (const FormatError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
    EXPECT_NE(what.find(path), std::string::npos) << what;
  }
}

TEST(Safetensors, RoundTripsEveryFloatDtypeBitExactly) {
  const std::string dir = testing::scratch_dir("st_roundtrip");
  torch::manual_seed(3);
  const torch::Tensor a = torch::randn({3, 5});
  for (torch::Dtype dtype : {torch::kFloat32, torch::kFloat16, torch::kBFloat16}) {
    const std::string path = dir + "/t.safetensors";
    SafetensorsWriteOptions options;
    options.float_dtype = dtype;
    options.metadata["note"] = "x";
    write_safetensors(path, {{"a", a}, {"ids", torch::arange(4)}, {"empty", torch::zeros({0, 2})}}, options);
    const SafetensorsFile f = read_safetensors_file(path);
    ASSERT_EQ(f.tensors.size(), 3u);
    EXPECT_EQ(f.metadata.at("format"), "pt");
    EXPECT_EQ(f.metadata.at("note"), "x");
    EXPECT_EQ(f.tensors[0].first, "a");
    EXPECT_EQ(f.tensors[0].second.scalar_type(), dtype);
    EXPECT_TRUE(torch::equal(f.tensors[0].second, a.to(dtype)));
    EXPECT_EQ(f.tensors[1].second.scalar_type(), torch::kInt64);  // integers are never converted
    EXPECT_TRUE(torch::equal(f.tensors[1].second, torch::arange(4)));
    EXPECT_EQ(f.tensors[2].second.sizes(), (std::vector<int64_t>{0, 2}));
  }
}

TEST(Safetensors, WritesTheDocumentedLayout) {
  const std::string path = testing::scratch_dir("st_layout") + "/t.safetensors";
  write_safetensors(path, {{"x", torch::tensor({1.0f, -2.0f})}});
  const std::vector<char> bytes = read_binary_file(path);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(bytes[i]);
  EXPECT_EQ(n % 8, 0u);
  const Json header = Json::parse(std::string(bytes.begin() + 8, bytes.begin() + 8 + n));
  EXPECT_EQ(header["x"]["dtype"], "F32");
  EXPECT_EQ(header["x"]["data_offsets"], (Json{0, 8}));
  ASSERT_EQ(bytes.size(), 8 + n + 8);
  float v[2];
  std::memcpy(v, bytes.data() + 8 + n, 8);
  EXPECT_EQ(v[0], 1.0f);
  EXPECT_EQ(v[1], -2.0f);
}

TEST(Safetensors, RejectsHostileFiles) {
  const std::string dir = testing::scratch_dir("st_hostile");
  const std::string eight(8, '\0');
  expect_format_error(write_raw(dir, "", ""), "invalid JSON");
  {
    const std::string path = dir + "/short.safetensors";
    std::ofstream(path, std::ios::binary) << "abc";
    expect_format_error(path, "truncated safetensors file");
  }
  expect_format_error(write_raw(dir, "{}", "", 1ll << 40), "exceeds the limit");
  expect_format_error(write_raw(dir, "{}", "", 1000), "runs past the end");
  expect_format_error(write_raw(dir, "{not json", ""), "invalid JSON");
  expect_format_error(write_raw(dir, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", "1234"),
                      "run past the end of the data area");
  expect_format_error(
      write_raw(dir, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                std::string(12, 'x')),
      "overlaps tensor a");
  expect_format_error(write_raw(dir, R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight),
                      "need 12");
  expect_format_error(
      write_raw(dir, R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}})", eight),
      "overflows its byte size");
  expect_format_error(write_raw(dir, R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight),
                      "not a non-negative integer");
  expect_format_error(write_raw(dir, R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}})", eight),
                      "unsupported dtype");
  expect_format_error(write_raw(dir, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", eight),
                      "run backwards");
  expect_format_error(write_raw(dir, R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", eight),
                      "leaving a hole");
  expect_format_error(write_raw(dir, R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", eight),
                      "the tensors use 4");
  expect_format_error(write_raw(dir, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}})", eight),
                      "unknown header key");
  expect_format_error(write_raw(dir, R"({"__metadata__":{"k":1}})", ""), "is not a string");
}

TEST(Safetensors, MissingFileIsAnIoError) {
  EXPECT_THROW(read_safetensors("/nonexistent/dir/x.safetensors"), IoError);
}

TEST(Safetensors, ShardIndexCannotPointOutsideItsDirectory) {
  const std::string dir = testing::scratch_dir("st_index");
  write_file_atomically(dir + "/model.safetensors.index.json", R"({"weight_map":{"a":"../x.safetensors"}})");
  EXPECT_THROW(read_sharded_safetensors(dir + "/model.safetensors.index.json"), FormatError);
  write_safetensors(dir + "/s1.safetensors", {{"a", torch::ones({2})}});
  write_file_atomically(dir + "/model.safetensors.index.json", R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors"}})");
  EXPECT_THROW(read_sharded_safetensors(dir + "/model.safetensors.index.json"), FormatError);
}

TEST(Safetensors, DuplicateNamesAreRefusedOnWrite) {
  const std::string path = testing::scratch_dir("st_dup") + "/t.safetensors";
  EXPECT_THROW(write_safetensors(path, {{"a", torch::ones({1})}, {"a", torch::ones({1})}}), InvalidArgument);
  EXPECT_FALSE(file_exists(path));
}

}  // namespace
}  // namespace jpqd::model
