// Featurization of the shipped data with the shipped bert-base-uncased vocabulary. Expected ids are
// the vocabulary's 0-based line numbers (looked up with grep -n), not our tokenizer's output.
#include <gtest/gtest.h>

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

TEST(RealDataFeatures, Sst2Dev) {
  const auto tokenizer = uncased();
  const GlueTask& task = glue_task("sst2");
  const auto dev = read_glue_split(task, testing::glue_dir("SST-2"), "validation");
  const auto features = featurize_glue(dev, LabelSpace::of(task), tokenizer, {128, false});
  ASSERT_EQ(features.size(), 872u);
  // "it 's a charming and often affecting journey . " -> it ' s a charming and often affecting journey .
  EXPECT_EQ(features[0].input_ids,
            (std::vector<int64_t>{101, 2009, 1005, 1055, 1037, 11951, 1998, 2411, 12473, 4990, 1012, 102}));
  EXPECT_EQ(features[0].label, 1);
  int64_t positives = 0;
  for (const auto& f : features) {
    EXPECT_LE(f.input_ids.size(), 128u);
    positives += f.label;
  }
  EXPECT_EQ(positives, 444);
}

TEST(RealDataFeatures, SquadWindowsCoverTheirAnswers) {
  const auto tokenizer = uncased();
  const SquadDataset dev = read_squad_file(testing::source_dir() + "/data/squad/dev-v1.1.json");
  const SquadSplit split = split_squad_by_article(dev, 44);  // the last 4 articles keep the test short
  const auto& examples = split.rest.examples;
  const auto features = prepare_squad_features(examples, tokenizer, {384, 128, 64, false});
  ASSERT_GE(features.size(), examples.size());
  std::vector<int> labelled(examples.size(), 0);
  for (const auto& f : features) {
    ASSERT_LE(f.feature.input_ids.size(), 384u);
    EXPECT_EQ(f.feature.input_ids.size(), f.offsets.size());
    if (f.feature.start_position == 0) continue;
    // A labelled window's span starts at or before the answer and ends at or after it.
    const SquadExample& ex = examples[static_cast<size_t>(f.example_index)];
    const SquadAnswer& a = ex.answers.front();
    const auto begin = f.offsets[static_cast<size_t>(f.feature.start_position)].first;
    const auto end = f.offsets[static_cast<size_t>(f.feature.end_position)].second;
    EXPECT_LE(begin, a.byte_start) << ex.id;
    EXPECT_GE(end, a.byte_start + static_cast<int64_t>(a.text.size())) << ex.id;
    EXPECT_LE(f.feature.start_position, f.feature.end_position) << ex.id;
    labelled[static_cast<size_t>(f.example_index)] = 1;
  }
  // Windows overlap by 128 tokens and no answer here is that long, so every answer lies wholly
  // inside at least one window.
  int64_t covered = 0;
  for (int l : labelled) covered += l;
  EXPECT_EQ(covered, static_cast<int64_t>(examples.size()));
}

}  // namespace
}  // namespace jpqd::data
