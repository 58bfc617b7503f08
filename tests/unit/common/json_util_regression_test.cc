// Inputs found by fuzzing (fuzz/, docs/fuzzing.md) that once escaped parse_json as something other
// than a jpqd::Error. Each must be rejected as a FormatError naming the input.
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "common/json_util.h"

namespace jpqd {
namespace {

std::string format_error_of(const std::string& text) {
  try {
    parse_json(text, "input.json");
  } catch (const FormatError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no FormatError for " << text;
  return "";
}

// custom_files fuzzer: nlohmann reports a number beyond double's range as out_of_range.406, which used
// to escape parse_json and terminate the program.
TEST(JsonUtilRegression, NumberBeyondDoubleRangeIsAFormatError) {
  EXPECT_NE(format_error_of("{\"label\": 1e400}").find("input.json"), std::string::npos);
  EXPECT_NE(format_error_of("[-1e99999]").find("input.json"), std::string::npos);
}

// A large but representable number is still fine (the fix must not reject valid JSON).
TEST(JsonUtilRegression, LargeRepresentableNumbersStillParse) {
  EXPECT_DOUBLE_EQ(parse_json("[1e300]", "x")[0].get<double>(), 1e300);
  EXPECT_EQ(parse_json("[18446744073709551615]", "x")[0].get<uint64_t>(), 18446744073709551615ull);
}

// Deep nesting is refused by the depth guard rather than exhausting the stack.
TEST(JsonUtilRegression, DeepNestingIsAFormatError) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(format_error_of(deep).find("nested deeper"), std::string::npos);
}

// compression_config fuzzer (warmup_end_epoch: 1e+308): get_int cast the double to int64 before knowing
// it fits, which is undefined behaviour (UBSan: "1e+308 is outside the range of representable values").
TEST(JsonUtilRegression, GetIntRejectsFloatsOutsideInt64) {
  for (const char* text : {"{\"n\": 1e308}", "{\"n\": -1e300}", "{\"n\": 9.3e18}"}) {
    const Json j = parse_json(text, "x");
    EXPECT_THROW(get_int(j, "n", "x"), InvalidArgument) << text;
  }
  EXPECT_EQ(get_int(parse_json("{\"n\": 3.0}", "x"), "n", "x"), 3);
  EXPECT_EQ(get_int(parse_json("{\"n\": -4e15}", "x"), "n", "x"), -4000000000000000);
}

}  // namespace
}  // namespace jpqd
