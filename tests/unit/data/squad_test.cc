// SQuAD reader on the shipped dev file (counts from data/README.md; per-question values
// and the article split counted separately with python3's json module) and on hand-made files.
#include "data/squad.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace jpqd::data {
namespace {

using testing::error_of;
using testing::make_temp_dir;
using testing::write_file;

std::string dev_file() { return testing::source_dir() + "/data/squad/dev-v1.1.json"; }

// Parsed once for the whole binary: reading the 4.8 MB file takes about half a second.
const SquadDataset& dev_set() {
  static const SquadDataset dev = read_squad_file(dev_file());
  return dev;
}

TEST(Squad, ReadsTheDevFile) {
  const SquadDataset& dev = dev_set();
  EXPECT_EQ(dev.version, "1.1");
  EXPECT_EQ(dev.num_articles, 48);
  ASSERT_EQ(dev.examples.size(), 10570u);
  size_t answers = 0;
  for (const auto& ex : dev.examples) answers += ex.answers.size();
  EXPECT_EQ(answers, 34726u);
  const SquadExample& first = dev.examples[0];
  EXPECT_EQ(first.id, "56be4db0acb8001400a502ec");
  EXPECT_EQ(first.title, "Super_Bowl_50");
  EXPECT_EQ(first.question, "Which NFL team represented the AFC at Super Bowl 50?");
  EXPECT_EQ(first.answers[0].text, "Denver Broncos");
  EXPECT_EQ(first.answers[0].answer_start, 177);
  EXPECT_EQ(first.answers[0].byte_start, 177);
  // Two 2-byte characters precede this answer: character 403 is byte 405.
  const SquadExample& third = dev.examples[2];
  EXPECT_EQ(third.id, "56be4db0acb8001400a502ee");
  EXPECT_EQ(third.answers[0].answer_start, 403);
  EXPECT_EQ(third.answers[0].byte_start, 405);
  EXPECT_EQ(third.context.substr(405, third.answers[0].text.size()), "Santa Clara, California");
}

TEST(Squad, SplitByArticle) {
  const SquadDataset& dev = dev_set();
  const SquadSplit split = split_squad_by_article(dev, 40);
  EXPECT_EQ(split.first.num_articles, 40);
  EXPECT_EQ(split.rest.num_articles, 8);
  EXPECT_EQ(split.first.examples.size(), 8981u);
  EXPECT_EQ(split.rest.examples.size(), 1589u);
  EXPECT_EQ(split.rest.examples.front().article, 40);
  EXPECT_THROW(split_squad_by_article(dev, 0), InvalidArgument);
  EXPECT_THROW(split_squad_by_article(dev, 48), InvalidArgument);
}

std::string one_question(const std::string& context, const std::string& answer, int64_t start) {
  return "{\"version\": \"1.1\", \"data\": [{\"title\": \"T\", \"paragraphs\": [{\"context\": \"" + context +
         "\", \"qas\": [{\"id\": \"q1\", \"question\": \"Q?\", \"answers\": [{\"text\": \"" + answer +
         "\", \"answer_start\": " + std::to_string(start) + "}]}]}]}]}";
}

TEST(Squad, AnswerStartCountsCharactersNotBytes) {
  const std::string dir = make_temp_dir();
  // "café au lait, merci": é is 2 bytes, so "lait" starts at character 8 and byte 9.
  const std::string path = write_file(dir, "utf8.json", one_question("caf\\u00e9 au lait, merci", "lait", 8));
  const SquadDataset data = read_squad_file(path);
  ASSERT_EQ(data.examples.size(), 1u);
  EXPECT_EQ(data.examples[0].context, "caf\xC3\xA9 au lait, merci");
  EXPECT_EQ(data.examples[0].answers[0].byte_start, 9);
  // The byte offset 9 would be wrong as answer_start: character 9 starts "ait,".
  const std::string wrong = write_file(dir, "wrong.json", one_question("caf\\u00e9 au lait, merci", "lait", 9));
  const std::string m = error_of<FormatError>([&] { read_squad_file(wrong); });
  EXPECT_CONTAINS(m, wrong);
  EXPECT_CONTAINS(m, "\"q1\"");
  EXPECT_CONTAINS(m, "\"lait\" does not match the context at answer_start 9 (context has \"ait,\")");
}

TEST(Squad, Errors) {
  const std::string dir = make_temp_dir();
  EXPECT_CONTAINS(error_of<IoError>([&] { read_squad_file(dir + "/none.json"); }), dir + "/none.json");
  const std::string not_squad = write_file(dir, "glue.json", "{\"sentence\": \"a\", \"label\": 1}");
  EXPECT_CONTAINS(error_of<FormatError>([&] { read_squad_file(not_squad); }), "not SQuAD JSON: missing \"data\"");
  const std::string list = write_file(dir, "list.json", "[1, 2]");
  EXPECT_CONTAINS(error_of<FormatError>([&] { read_squad_file(list); }), "not SQuAD JSON");
  const std::string broken = write_file(dir, "broken.json", "{\"data\": [");
  EXPECT_CONTAINS(error_of<FormatError>([&] { read_squad_file(broken); }), "invalid JSON");
  const std::string no_context = write_file(dir, "no_context.json", "{\"data\": [{\"paragraphs\": [{\"qas\": []}]}]}");
  EXPECT_CONTAINS(error_of<FormatError>([&] { read_squad_file(no_context); }), "missing \"context\"");
  const std::string outside = write_file(dir, "outside.json", one_question("short", "short", 3));
  EXPECT_CONTAINS(error_of<FormatError>([&] { read_squad_file(outside); }), "outside the context");
  const std::string empty = write_file(dir, "empty.json", "{\"version\": \"1.1\", \"data\": []}");
  EXPECT_CONTAINS(error_of<FormatError>([&] { read_squad_file(empty); }), "empty dataset");
  const std::string dup = write_file(
      dir, "dup.json",
      "{\"data\": [{\"paragraphs\": [{\"context\": \"ab\", \"qas\": ["
      "{\"id\": \"x\", \"question\": \"?\", \"answers\": [{\"text\": \"a\", \"answer_start\": 0}]},"
      "{\"id\": \"x\", \"question\": \"?\", \"answers\": [{\"text\": \"b\", \"answer_start\": 1}]}]}]}]}");
  EXPECT_CONTAINS(error_of<FormatError>([&] { read_squad_file(dup); }), "duplicate question id");
  const std::string v2 = write_file(
      dir, "v2.json",
      "{\"data\": [{\"paragraphs\": [{\"context\": \"ab\", \"qas\": [{\"id\": \"x\", \"question\": \"?\", "
      "\"answers\": [], \"is_impossible\": true}]}]}]}");
  EXPECT_CONTAINS(error_of<FormatError>([&] { read_squad_file(v2); }), "no answers");
}

}  // namespace
}  // namespace jpqd::data
