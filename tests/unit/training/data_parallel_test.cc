// DataParallel on two loopback ranks (threads): quantizer range statistics combined across ranks equal
// what one process collects from all the data, for every range-initialisation type; the agreed
// decisions, means and sums; and the identity behaviour of a single process.
#include "training/distributed/data_parallel.h"

#include <gtest/gtest.h>

#include <array>

#include "compression/quantization/range_statistics.h"
#include "training/dataset.h"
#include "loopback_ranks.h"

namespace jpqd::training {
namespace {

using compression::RangeInitType;
using compression::RangeStatistics;

constexpr std::chrono::seconds kTimeout{10};

// Three global batches of 6 rows; rank r of 2 holds rows r, r+2, r+4 of each, as the sampler deals them.
std::vector<torch::Tensor> global_batches() {
  torch::manual_seed(3);
  return {torch::randn({6, 5}) * 2, torch::randn({6, 5}) - 1, torch::randn({6, 5}) * 0.5 + 3};
}

torch::Tensor share_of(const torch::Tensor& batch, int64_t rank) {
  return batch.index_select(0, torch::arange(rank, batch.size(0), 2));
}

TEST(DataParallel, RangeStatisticsCombineToWhatOneProcessCollects) {
  const auto batches = global_batches();  // drawn once: the rank threads share torch's generator
  for (const auto type : {RangeInitType::kMinMax, RangeInitType::kMeanMinMax, RangeInitType::kMixedMinMax,
                          RangeInitType::kPercentile}) {
    RangeStatistics single(type, 1.0, 99.0, /*per_channel=*/false);
    for (const auto& b : batches) single.add(b);
    const auto [want_min, want_max] = single.min_max();

    std::array<std::pair<torch::Tensor, torch::Tensor>, 2> got;
    expect_no_errors(run_on_ranks(2, [&](const DistributedEnv& env) {
      DataParallel parallel(env, kTimeout);
      RangeStatistics mine(type, 1.0, 99.0, false);
      for (const auto& b : batches) mine.add(share_of(b, env.rank));
      mine.reduce_across_ranks(*parallel.collectives());
      got[static_cast<size_t>(env.rank)] = mine.min_max();
    }));
    for (const auto& [min, max] : got) {
      // Exact: extremes and percentiles are the same values, means of the same per-batch extremes.
      EXPECT_TRUE(min.equal(want_min)) << static_cast<int>(type) << ": " << min << " vs " << want_min;
      EXPECT_TRUE(max.equal(want_max)) << static_cast<int>(type) << ": " << max << " vs " << want_max;
    }
    // A rank alone would have seen narrower ranges: the combination is not a no-op.
    RangeStatistics alone(type, 1.0, 99.0, false);
    for (const auto& b : batches) alone.add(share_of(b, 0));
    EXPECT_FALSE(alone.min_max().first.equal(want_min)) << static_cast<int>(type);
  }
}

TEST(DataParallel, RanksWithDifferentBatchCountsAreRejected) {
  const auto errors = run_on_ranks(2, [&](const DistributedEnv& env) {
    DataParallel parallel(env, kTimeout);
    RangeStatistics mine(RangeInitType::kMeanMinMax, 1.0, 99.0, false);
    for (int64_t b = 0; b <= env.rank; ++b) mine.add(torch::ones({2, 2}));
    mine.reduce_across_ranks(*parallel.collectives());
  });
  for (const auto& error : errors) {
    ASSERT_TRUE(error);
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("different numbers of batches (1 to 2)"), std::string::npos) << e.what();
    }
  }
}

TEST(DataParallel, DecisionsMeansSumsAndShards) {
  std::array<std::vector<double>, 2> means;
  std::array<double, 2> sums{};
  std::array<int64_t, 2> maxima{};
  std::array<std::array<bool, 3>, 2> decisions{};
  std::array<EvalShard, 2> shards{};
  std::array<torch::Tensor, 2> gathered;
  expect_no_errors(run_on_ranks(2, [&](const DistributedEnv& env) {
    DataParallel parallel(env, kTimeout);
    const auto r = static_cast<size_t>(env.rank);
    EXPECT_TRUE(parallel.enabled());
    EXPECT_EQ(parallel.is_main_process(), env.rank == 0);
    decisions[r] = {parallel.any(false), parallel.any(env.rank == 1), parallel.any(true)};
    means[r] = parallel.mean({1.0 + static_cast<double>(env.rank), 10.0 * static_cast<double>(env.rank)});
    sums[r] = parallel.sum(0.25 + static_cast<double>(env.rank));
    maxima[r] = parallel.max(7 - 3 * env.rank);
    shards[r] = parallel.eval_shard(5);
    gathered[r] = parallel.gather_rows(torch::full({env.rank + 1, 2}, static_cast<float>(env.rank)));
    // Smaller than the world: every rank evaluates it whole.
    EXPECT_EQ(parallel.eval_shard(1).begin, 0);
    EXPECT_EQ(parallel.eval_shard(1).end, 1);
    parallel.barrier();
  }));
  for (size_t r = 0; r < 2; ++r) {
    EXPECT_EQ(decisions[r], (std::array<bool, 3>{false, true, true})) << r;
    EXPECT_EQ(means[r], (std::vector<double>{1.5, 5.0})) << r;
    EXPECT_EQ(sums[r], 1.5) << r;
    EXPECT_EQ(maxima[r], 7) << r;
    EXPECT_TRUE(gathered[r].equal(torch::tensor({{0.F, 0.F}, {1.F, 1.F}, {1.F, 1.F}}))) << gathered[r];
  }
  EXPECT_EQ(shards[0].begin, 0);
  EXPECT_EQ(shards[0].end, 3);
  EXPECT_EQ(shards[1].begin, 3);
  EXPECT_EQ(shards[1].end, 5);
}

TEST(DataParallel, OneProcessIsTheIdentity) {
  DataParallel parallel(DistributedEnv{}, kTimeout);
  EXPECT_FALSE(parallel.enabled());
  EXPECT_EQ(parallel.collectives(), nullptr);
  EXPECT_TRUE(parallel.any(true));
  EXPECT_FALSE(parallel.any(false));
  EXPECT_EQ(parallel.mean({2.5, -1.0}), (std::vector<double>{2.5, -1.0}));
  EXPECT_EQ(parallel.sum(3.0), 3.0);
  EXPECT_EQ(parallel.epoch_indices(7, 5, 2), epoch_permutation(7, 5, 2));
  EXPECT_EQ(parallel.eval_shard(9).end, 9);
  const auto rows = torch::arange(4);
  EXPECT_TRUE(parallel.gather_rows(rows).is_same(rows));
  parallel.check_agreement("anything", 1);
  parallel.barrier();
}

TEST(DataParallel, EpochIndicesAreTheSamplersShareOfTheSingleProcessShuffle) {
  std::array<std::vector<int64_t>, 2> indices;
  expect_no_errors(run_on_ranks(2, [&](const DistributedEnv& env) {
    DataParallel parallel(env, kTimeout);
    indices[static_cast<size_t>(env.rank)] = parallel.epoch_indices(9, 4, 1);
  }));
  const auto order = epoch_permutation(9, 4, 1);
  // 9 over 2 ranks: padded to 10 by repeating the first position; rank r takes positions r, r+2, ...
  EXPECT_EQ(indices[0], (std::vector<int64_t>{order[0], order[2], order[4], order[6], order[8]}));
  EXPECT_EQ(indices[1], (std::vector<int64_t>{order[1], order[3], order[5], order[7], order[0]}));
}

}  // namespace
}  // namespace jpqd::training
