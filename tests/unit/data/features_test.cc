// Featurization through the real tokenizer (BERT WordPiece) on a tiny hand-written vocabulary, so every expected
// id is derived by hand from the vocabulary's line numbers.
#include <gtest/gtest.h>

#include "data/glue_features.h"
#include "data/squad_features.h"
#include "test_util.h"

namespace jpqd::data {
namespace {

// Ids: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 the=5 cat=6 sat=7 on=8 mat=9 dog=10 ##s=11 .=12 q=13,
// then t00..t19 = 14..33.
text::Tokenizer tiny_tokenizer() {
  std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat",
                                     "sat",   "on",    "mat",   "dog",   "##s",    ".",   "q"};
  for (int i = 0; i < 20; ++i) tokens.push_back(std::string("t") + (i < 10 ? "0" : "") + std::to_string(i));
  return text::Tokenizer::from_vocab(tokens);
}

TEST(GlueFeatures, SingleSentenceWithLabelId) {
  const auto tokenizer = tiny_tokenizer();
  Example ex;
  ex.text_a = "The cat sat.";
  ex.label = "1";
  const auto f = featurize_glue({ex}, {false, {"0", "1"}}, tokenizer, {});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].input_ids, (std::vector<int64_t>{2, 5, 6, 7, 12, 3}));
  EXPECT_EQ(f[0].token_type_ids, (std::vector<int64_t>(6, 0)));
  EXPECT_EQ(f[0].label, 1);
  EXPECT_TRUE(f[0].attention_mask.empty());
}

TEST(GlueFeatures, PairLongestFirstTruncationAndRegression) {
  const auto tokenizer = tiny_tokenizer();
  Example ex;
  ex.text_a = "the cat sat on the mat";  // 6 tokens
  ex.text_b = "dogs";                    // dog ##s
  ex.score = 3.5f;
  // 8 - 3 special tokens leaves 5: longest_first cuts a (6 -> 3) before touching b (2).
  const auto f = featurize_glue({ex}, {true, {}}, tokenizer, {8, false});
  EXPECT_EQ(f[0].input_ids, (std::vector<int64_t>{2, 5, 6, 7, 3, 10, 11, 3}));
  EXPECT_EQ(f[0].token_type_ids, (std::vector<int64_t>{0, 0, 0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(f[0].targets, (std::vector<float>{3.5f}));
  EXPECT_EQ(f[0].label, -1);
}

TEST(GlueFeatures, PaddingAndLabelErrors) {
  const auto tokenizer = tiny_tokenizer();
  Example ex;
  ex.text_a = "cat";
  ex.label = "neutral";
  ex.line = 12;
  const auto f = featurize_glue({ex}, {false, {"entailment", "neutral"}}, tokenizer, {5, true});
  EXPECT_EQ(f[0].input_ids, (std::vector<int64_t>{2, 6, 3, 0, 0}));
  EXPECT_EQ(f[0].attention_mask, (std::vector<int64_t>{1, 1, 1, 0, 0}));
  EXPECT_EQ(f[0].label, 1);
  const std::string m =
      testing::error_of<InvalidArgument>([&] { featurize_glue({ex}, {false, {"0", "1"}}, tokenizer, {}); });
  EXPECT_CONTAINS(m, "line 12");
  EXPECT_CONTAINS(m, "\"neutral\"");
}

TEST(SquadFeatures, WindowsOverALongContext) {
  const auto tokenizer = tiny_tokenizer();
  SquadExample ex;
  ex.id = "long";
  ex.question = "q q";
  // "t00 t01 ... t19": token i covers bytes [4i, 4i + 3).
  for (int i = 0; i < 20; ++i) ex.context += std::string(i ? " " : "") + "t" + (i < 10 ? "0" : "") + std::to_string(i);
  ex.answers = {{"t07 t08", 28, 28}};  // bytes [28, 35)
  SquadFeatureOptions options;
  options.max_seq_length = 11;  // [CLS] q q [SEP] + 6 context tokens + [SEP]
  options.doc_stride = 3;       // windows start at tokens 0, 3, 6, 9, 12, 15
  const auto windows = prepare_squad_features({ex}, tokenizer, options);
  ASSERT_EQ(windows.size(), 6u);
  EXPECT_EQ(windows[2].feature.input_ids, (std::vector<int64_t>{2, 13, 13, 3, 20, 21, 22, 23, 24, 25, 3}));
  EXPECT_EQ(windows[5].feature.input_ids, (std::vector<int64_t>{2, 13, 13, 3, 29, 30, 31, 32, 33, 3}));
  EXPECT_EQ(windows[2].offsets[4], (std::pair<int64_t, int64_t>{24, 27}));
  EXPECT_EQ(windows[2].offsets[0], (std::pair<int64_t, int64_t>{-1, -1}));
  // Tokens 7 and 8 sit at 4 + (7 - 3) in the window from token 3, and at 4 + (7 - 6) in the one from 6.
  EXPECT_EQ(windows[1].feature.start_position, 8);
  EXPECT_EQ(windows[1].feature.end_position, 9);
  EXPECT_EQ(windows[2].feature.start_position, 5);
  EXPECT_EQ(windows[2].feature.end_position, 6);
  for (int w : {0, 3, 4, 5}) EXPECT_EQ(windows[w].feature.start_position, 0) << w;
  EXPECT_EQ(ex.context.substr(28, 7), "t07 t08");
}

}  // namespace
}  // namespace jpqd::data
