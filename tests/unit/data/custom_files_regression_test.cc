// Inputs found by fuzzing (fuzz/custom_files_fuzzer.cc) that once escaped load_custom_files as something
// other than a jpqd::Error.
#include <gtest/gtest.h>

#include "data/custom_files.h"
#include "test_util.h"

namespace jpqd::data {
namespace {

using testing::error_of;
using testing::make_temp_dir;
using testing::write_file;

// nlohmann reports 1e400 as out_of_range.406, which used to terminate the program from a JSON-lines file.
TEST(CustomFilesRegression, JsonNumberBeyondDoubleRangeIsAFormatError) {
  const std::string dir = make_temp_dir();
  const std::string jsonl = write_file(dir, "train.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": 1e400}\n");
  const std::string message = error_of<FormatError>([&] { load_custom_files({jsonl, "", ""}); });
  EXPECT_NE(message.find("train.jsonl:2"), std::string::npos) << message;
  const std::string json = write_file(dir, "train.json", "[{\"text\": \"a\", \"label\": -1e400}]");
  EXPECT_NE(error_of<FormatError>([&] { load_custom_files({json, "", ""}); }).find("train.json"), std::string::npos);
}

// The same overflow one step later: 1e300 is a double, but the example's float score became inf.
TEST(CustomFilesRegression, ScoreBeyondFloatRangeIsAFormatError) {
  const std::string dir = make_temp_dir();
  const std::string csv = write_file(dir, "train.csv", "sentence,label\na,0.5\nb,1e300\n");
  const std::string message = error_of<FormatError>([&] { load_custom_files({csv, "", ""}); });
  EXPECT_NE(message.find("train.csv:3"), std::string::npos) << message;
  EXPECT_NE(message.find("not a number in float range"), std::string::npos) << message;
}

}  // namespace
}  // namespace jpqd::data
