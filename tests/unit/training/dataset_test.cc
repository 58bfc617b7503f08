#include "training/dataset.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace jpqd::training {
namespace {

TokenizedDataset three_rows(int64_t pad_to) {
  std::vector<Row> rows(3);
  rows[0].input_ids = {101, 7, 102};
  rows[0].token_type_ids = {0, 0, 0};
  rows[0].label = 1;
  rows[1].input_ids = {101, 8, 9, 10, 102};
  rows[1].token_type_ids = {0, 0, 0, 1, 1};
  rows[1].label = 0;
  rows[2].input_ids = {101, 102};
  rows[2].token_type_ids = {0, 0};
  rows[2].label = 1;
  return TokenizedDataset(rows, TargetKind::kClassLabel, pad_to, /*pad_id=*/0);
}

TEST(TokenizedDataset, DynamicPaddingToLongestInBatch) {
  auto ds = three_rows(0);
  Batch b = ds.batch({0, 2});
  EXPECT_EQ(b.inputs.input_ids.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(b.inputs.input_ids.equal(torch::tensor({{101, 7, 102}, {101, 102, 0}})));
  EXPECT_TRUE(b.inputs.attention_mask.equal(torch::tensor({{1, 1, 1}, {1, 1, 0}})));
  EXPECT_TRUE(b.labels.labels.equal(torch::tensor({1, 1})));
}

TEST(TokenizedDataset, PadToMaxLengthAndTokenTypes) {
  auto ds = three_rows(6);
  Batch b = ds.batch({1});
  EXPECT_TRUE(b.inputs.input_ids.equal(torch::tensor({{101, 8, 9, 10, 102, 0}})));
  EXPECT_TRUE(b.inputs.token_type_ids.equal(torch::tensor({{0, 0, 0, 1, 1, 0}})));
  EXPECT_EQ(ds.total_tokens({0, 1, 2}), 10);
}

TEST(EpochPermutation, DeterministicPerSeedAndEpochAndAPermutation) {
  auto a = epoch_permutation(50, 42, 3);
  auto b = epoch_permutation(50, 42, 3);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, epoch_permutation(50, 42, 4));
  EXPECT_NE(a, epoch_permutation(50, 43, 3));
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, sequential_indices(0, 50));
}

}  // namespace
}  // namespace jpqd::training
