// Featurization on several threads must give exactly what one thread gives: the same features in
// the same order, and for bad input the error of the first bad example.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.h"
#include "data/glue_features.h"
#include "data/glue_reader.h"
#include "data/squad.h"
#include "data/squad_features.h"
#include "test_util.h"

namespace jpqd::data {
namespace {

text::Tokenizer uncased() {
  return text::Tokenizer::from_directory(testing::source_dir() + "/data/vocab/bert-base-uncased");
}

void expect_same(const Feature& a, const Feature& b, size_t i) {
  EXPECT_EQ(a.input_ids, b.input_ids) << "feature " << i;
  EXPECT_EQ(a.token_type_ids, b.token_type_ids) << "feature " << i;
  EXPECT_EQ(a.attention_mask, b.attention_mask) << "feature " << i;
  EXPECT_EQ(a.label, b.label) << "feature " << i;
  EXPECT_EQ(a.targets, b.targets) << "feature " << i;
  EXPECT_EQ(a.start_position, b.start_position) << "feature " << i;
  EXPECT_EQ(a.end_position, b.end_position) << "feature " << i;
}

TEST(ParallelFeatures, GlueOnThreeThreadsIsGlueOnOne) {
  const auto tokenizer = uncased();
  for (const auto& [name, dir] : {std::pair<std::string, std::string>{"sst2", "SST-2"}, {"mrpc", "MRPC"}}) {
    const GlueTask& task = glue_task(name);
    const auto dev = read_glue_split(task, testing::glue_dir(dir), "validation");
    const auto one = featurize_glue(dev, LabelSpace::of(task), tokenizer, {128, true, 1});
    const auto three = featurize_glue(dev, LabelSpace::of(task), tokenizer, {128, true, 3});
    ASSERT_EQ(one.size(), dev.size()) << name;
    ASSERT_EQ(three.size(), one.size()) << name;
    for (size_t i = 0; i < one.size(); ++i) expect_same(one[i], three[i], i);
  }
}

TEST(ParallelFeatures, GlueFailsOnTheFirstBadExampleWhateverTheThreads) {
  const auto tokenizer = uncased();
  std::vector<Example> examples(3000);
  for (size_t i = 0; i < examples.size(); ++i) {
    examples[i].text_a = "example number " + std::to_string(i);
    examples[i].label = (i == 1700 || i == 2900) ? "maybe" : "1";
    examples[i].line = static_cast<int64_t>(i + 2);
  }
  for (const int64_t threads : {1, 2, 4}) {
    try {
      featurize_glue(examples, {false, {"0", "1"}}, tokenizer, {128, false, threads});
      FAIL() << threads << " threads: no error";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("line 1702:"), std::string::npos) << threads << " threads: " << e.what();
    }
  }
}

TEST(ParallelFeatures, SquadOnThreeThreadsIsSquadOnOne) {
  const auto tokenizer = uncased();
  const SquadDataset dev = read_squad_file(testing::source_dir() + "/data/squad/dev-v1.1.json");
  const auto& examples = split_squad_by_article(dev, 44).rest.examples;
  const auto one = prepare_squad_features(examples, tokenizer, {384, 128, 64, false, 1});
  const auto three = prepare_squad_features(examples, tokenizer, {384, 128, 64, false, 3});
  ASSERT_GE(one.size(), examples.size());
  ASSERT_EQ(three.size(), one.size());
  for (size_t i = 0; i < one.size(); ++i) {
    expect_same(one[i].feature, three[i].feature, i);
    EXPECT_EQ(one[i].example_index, three[i].example_index) << "feature " << i;
    EXPECT_EQ(one[i].offsets, three[i].offsets) << "feature " << i;
  }
}

}  // namespace
}  // namespace jpqd::data
