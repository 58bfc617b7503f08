// SQuAD windowing on hand-built token lists (no vocabulary needed): window starts, ids, token types,
// offsets and answer positions are worked out by hand below.
#include <gtest/gtest.h>

#include "data/squad_features.h"
#include "test_util.h"

namespace jpqd::data {
namespace {

using Offsets = std::vector<std::pair<int64_t, int64_t>>;
constexpr std::pair<int64_t, int64_t> kNone{-1, -1};

// Context token i has id 20 + i and covers bytes [2i, 2i + 1) (one letter, then a space).
TokenizedText context_of(int64_t n) {
  TokenizedText t;
  for (int64_t i = 0; i < n; ++i) {
    t.ids.push_back(20 + i);
    t.offsets.push_back({2 * i, 2 * i + 1});
  }
  return t;
}

const TokenizedText kQuestion{{7, 8}, {{0, 1}, {2, 3}}};

TEST(SquadWindows, StrideOverlapAndAnswerPositions) {
  SquadFeatureOptions options;
  options.max_seq_length = 9;  // [CLS] q q [SEP] + 4 context tokens + [SEP]
  options.doc_stride = 2;      // consecutive windows share 2 tokens: starts 0, 2, 4, 6
  // Answer = context tokens 5 and 6: bytes [10, 13).
  const auto windows = make_squad_windows(kQuestion, context_of(10), std::make_pair<int64_t, int64_t>(10, 13), {},
                                          options, 3);
  ASSERT_EQ(windows.size(), 4u);
  EXPECT_EQ(windows[1].feature.input_ids, (std::vector<int64_t>{101, 7, 8, 102, 22, 23, 24, 25, 102}));
  EXPECT_EQ(windows[1].feature.token_type_ids, (std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(windows[1].offsets, (Offsets{kNone, kNone, kNone, kNone, {4, 5}, {6, 7}, {8, 9}, {10, 11}, kNone}));
  EXPECT_EQ(windows[3].feature.input_ids, (std::vector<int64_t>{101, 7, 8, 102, 26, 27, 28, 29, 102}));
  EXPECT_TRUE(windows[0].feature.attention_mask.empty());  // unpadded
  for (const auto& w : windows) EXPECT_EQ(w.example_index, 3);
  // Only the window of tokens 4..7 holds both answer tokens: at positions 4 + 1 and 4 + 2.
  EXPECT_EQ(windows[2].feature.start_position, 5);
  EXPECT_EQ(windows[2].feature.end_position, 6);
  for (int w : {0, 1, 3}) {
    EXPECT_EQ(windows[w].feature.start_position, 0) << w;
    EXPECT_EQ(windows[w].feature.end_position, 0) << w;
  }
}

TEST(SquadWindows, AnswerInsideOneTokenAndShortContext) {
  SquadFeatureOptions options;
  options.max_seq_length = 9;
  options.doc_stride = 2;
  // Bytes [2, 3) = context token 1, which sits at position 4 + 1 of the only window.
  const auto windows = make_squad_windows(kQuestion, context_of(3), std::make_pair<int64_t, int64_t>(2, 3), {}, options, 0);
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0].feature.start_position, 5);
  EXPECT_EQ(windows[0].feature.end_position, 5);
}

TEST(SquadWindows, QuestionTruncatedToMaxQueryLength) {
  SquadFeatureOptions options;
  options.max_seq_length = 9;
  options.doc_stride = 2;
  options.max_query_length = 1;  // 5 context tokens per window, step 3: starts 0, 3, 6
  const auto windows = make_squad_windows(kQuestion, context_of(10), std::nullopt, {}, options, 0);
  ASSERT_EQ(windows.size(), 3u);
  EXPECT_EQ(windows[1].feature.input_ids, (std::vector<int64_t>{101, 7, 102, 23, 24, 25, 26, 27, 102}));
  EXPECT_EQ(windows[2].feature.input_ids, (std::vector<int64_t>{101, 7, 102, 26, 27, 28, 29, 102}));
}

TEST(SquadWindows, PaddingFillsTheAttentionMask) {
  SquadFeatureOptions options;
  options.max_seq_length = 9;
  options.doc_stride = 2;
  options.pad_to_max_length = true;
  const auto windows = make_squad_windows(kQuestion, context_of(3), std::nullopt, PairLayout::bert(101, 102, 0), options, 0);
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0].feature.input_ids, (std::vector<int64_t>{101, 7, 8, 102, 20, 21, 22, 102, 0}));
  EXPECT_EQ(windows[0].feature.attention_mask, (std::vector<int64_t>{1, 1, 1, 1, 1, 1, 1, 1, 0}));
  EXPECT_EQ(windows[0].feature.token_type_ids, (std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1, 1, 0}));
  EXPECT_EQ(windows[0].offsets.size(), 9u);
  EXPECT_EQ(windows[0].offsets[8], kNone);
}

TEST(SquadWindows, StrideNotBelowTheWindowIsRejected) {
  SquadFeatureOptions options;
  options.max_seq_length = 9;  // 4 context tokens per window
  options.doc_stride = 4;
  EXPECT_CONTAINS(testing::error_of<InvalidArgument>(
                      [&] { make_squad_windows(kQuestion, context_of(10), std::nullopt, {}, options, 0); }),
                  "doc_stride 4");
  // A context that fits needs no stride: accepted, as the fast tokenizer does.
  EXPECT_EQ(make_squad_windows(kQuestion, context_of(4), std::nullopt, {}, options, 0).size(), 1u);
}

}  // namespace
}  // namespace jpqd::data
