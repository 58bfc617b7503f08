// SQuAD files that reached undefined behaviour in read_squad_file (fuzz/squad_fuzzer.cc seeds).
// Under scripts/sanitize.sh, UBSan fails these tests if the overflow comes back.
#include <gtest/gtest.h>

#include "data/squad.h"
#include "test_util.h"

namespace jpqd::data {
namespace {

using testing::error_of;
using testing::make_temp_dir;
using testing::write_file;

// answer_start = 2^63 - 1: the range check computed answer_start + len(text), a signed overflow.
TEST(SquadRegression, AnswerStartNearInt64MaxIsAFormatError) {
  const std::string path = write_file(make_temp_dir(), "dev.json",
                                      R"({"version": "1.1", "data": [{"title": "T", "paragraphs": [{"context": "short",
      "qas": [{"id": "q1", "question": "?", "answers": [{"text": "short", "answer_start": 9223372036854775807}]}]}]}]})");
  const std::string message = error_of<FormatError>([&] { read_squad_file(path); });
  EXPECT_NE(message.find("answer_start 9223372036854775807"), std::string::npos) << message;
}

}  // namespace
}  // namespace jpqd::data
