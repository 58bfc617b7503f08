// Data-parallel building blocks: the sampler's positions (hand-computed), DistributedEnv's validation, and
// real 2-rank c10d/Gloo collectives on 127.0.0.1 (two threads with one Communicator each; a forked
// process for the rank that dies).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <unistd.h>

#include <atomic>
#include <exception>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "common/error.h"
#include "training/dataset.h"
#include "training/distributed/communicator.h"
#include "training/distributed/distributed_env.h"
#include "training/distributed/distributed_sampler.h"

#include "loopback_ranks.h"

namespace jpqd::training {
namespace {

// --- DistributedSampler ---------------------------------------------------------------------------

// An arbitrary permutation of 0..9, standing for one epoch's shuffled order.
const std::vector<int64_t> kOrder10 = {5, 2, 7, 0, 9, 1, 8, 3, 6, 4};

TEST(DistributedSampler, PadsByWrappingAndStridesByWorldSize) {
  // n = 10, W = 3: ceil(10/3) = 4 per rank, 12 positions; positions 10 and 11 wrap to order[0], order[1].
  const std::vector<std::vector<int64_t>> expected = {
      {5, 0, 8, 4},  // positions 0, 3, 6, 9
      {2, 9, 3, 5},  // positions 1, 4, 7, 10
      {7, 1, 6, 2},  // positions 2, 5, 8, 11
  };
  for (int64_t r = 0; r < 3; ++r) {
    DistributedSampler sampler(10, r, 3);
    EXPECT_EQ(sampler.num_samples(), 4);
    EXPECT_EQ(sampler.total_size(), 12);
    EXPECT_EQ(sampler.indices(kOrder10), expected[r]) << "rank " << r;
  }
}

TEST(DistributedSampler, DatasetSmallerThanWorldWrapsMoreThanOnce) {
  const std::vector<int64_t> order = {1, 0};
  // n = 2, W = 5: one example per rank; positions 0..4 are order[0], order[1], order[0], order[1], order[0].
  const std::vector<int64_t> expected = {1, 0, 1, 0, 1};
  for (int64_t r = 0; r < 5; ++r) EXPECT_EQ(DistributedSampler(2, r, 5).indices(order), std::vector<int64_t>{expected[r]});
}

TEST(DistributedSampler, OneRankIsTheWholeOrder) {
  EXPECT_EQ(DistributedSampler(10, 0, 1).indices(kOrder10), kOrder10);
}

TEST(DistributedSampler, StepBatchesOfAllRanksFormTheSingleProcessBatch) {
  // W = 2, per-process batch b = 2: step k of the two ranks together must be order[4k .. 4k+3], the
  // batch of one process with batch 4. n = 10 pads to 10 (no padding), 5 samples per rank, 3 steps
  // (the last one with one example per rank: positions 8 and 9).
  const int64_t world = 2, b = 2;
  const std::vector<std::vector<int64_t>> single_process_batches = {{5, 2, 7, 0}, {9, 1, 8, 3}, {6, 4}};
  std::vector<std::vector<int64_t>> shards;
  for (int64_t r = 0; r < world; ++r) shards.push_back(DistributedSampler(10, r, world).indices(kOrder10));
  for (size_t k = 0; k < single_process_batches.size(); ++k) {
    std::multiset<int64_t> united;
    for (const auto& shard : shards)
      for (size_t j = k * b; j < std::min(shard.size(), (k + 1) * b); ++j) united.insert(shard[j]);
    const std::multiset<int64_t> expected(single_process_batches[k].begin(), single_process_batches[k].end());
    EXPECT_EQ(united, expected) << "step " << k;
  }
}

TEST(DistributedSampler, EpochIndicesFollowTheSingleProcessShuffle) {
  const auto order = epoch_permutation(7, 42, 3);
  DistributedSampler rank1(7, 1, 2);
  EXPECT_EQ(rank1.epoch_indices(42, 3), rank1.indices(order));
  // Over both ranks: all 7 examples, and order[0] a second time as the one padding position.
  std::multiset<int64_t> all;
  for (int64_t r = 0; r < 2; ++r)
    for (int64_t i : DistributedSampler(7, r, 2).epoch_indices(42, 3)) all.insert(i);
  EXPECT_EQ(all.size(), 8u);
  for (int64_t i = 0; i < 7; ++i) EXPECT_EQ(all.count(i), i == order[0] ? 2u : 1u) << i;
}

TEST(DistributedSampler, RejectsBadRanksAndOrders) {
  EXPECT_THROW(DistributedSampler(10, 3, 3), InvalidArgument);
  EXPECT_THROW(DistributedSampler(10, -1, 3), InvalidArgument);
  EXPECT_THROW(DistributedSampler(10, 0, 0), InvalidArgument);
  EXPECT_THROW(DistributedSampler(0, 0, 2), InvalidArgument);
  EXPECT_THROW(DistributedSampler(10, 0, 2).indices({1, 2, 3}), InvalidArgument);
}

TEST(EvalShard, ContiguousShardsDifferByAtMostOne) {
  // 10 over 3: 4 + 3 + 3.
  EXPECT_EQ(eval_shard(10, 0, 3).begin, 0);
  EXPECT_EQ(eval_shard(10, 0, 3).end, 4);
  EXPECT_EQ(eval_shard(10, 1, 3).begin, 4);
  EXPECT_EQ(eval_shard(10, 1, 3).end, 7);
  EXPECT_EQ(eval_shard(10, 2, 3).begin, 7);
  EXPECT_EQ(eval_shard(10, 2, 3).end, 10);
  // 2 over 3: the last rank gets nothing.
  EXPECT_EQ(eval_shard(2, 2, 3).begin, 2);
  EXPECT_EQ(eval_shard(2, 2, 3).end, 2);
}

// --- DistributedEnv -------------------------------------------------------------------------------

DistributedEnv parse(const std::map<std::string, std::string>& vars) {
  return DistributedEnv::from_lookup([&](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

// Expects InvalidArgument whose one-line message contains `text`.
void expect_env_error(const std::map<std::string, std::string>& vars, const std::string& text) {
  try {
    parse(vars);
    ADD_FAILURE() << "no error; expected one containing: " << text;
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(text), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

const std::map<std::string, std::string> kTwoRanks = {{"RANK", "1"},         {"WORLD_SIZE", "2"},
                                                       {"LOCAL_RANK", "1"},   {"LOCAL_WORLD_SIZE", "2"},
                                                       {"MASTER_ADDR", "10.0.0.7"}, {"MASTER_PORT", "29400"}};

std::map<std::string, std::string> with(std::map<std::string, std::string> vars, const std::string& name,
                                        const std::string& value) {
  vars[name] = value;
  return vars;
}

TEST(DistributedEnv, NothingSetIsOneProcess) {
  const auto env = parse({});
  EXPECT_EQ(env.rank, 0);
  EXPECT_EQ(env.world_size, 1);
  EXPECT_EQ(env.local_rank, 0);
  EXPECT_FALSE(env.is_distributed());
  EXPECT_TRUE(env.is_main_process());
}

TEST(DistributedEnv, ReadsTorchrunVariables) {
  const auto env = parse(kTwoRanks);
  EXPECT_EQ(env.rank, 1);
  EXPECT_EQ(env.world_size, 2);
  EXPECT_EQ(env.local_rank, 1);
  EXPECT_EQ(env.local_world_size, 2);
  EXPECT_EQ(env.master_addr, "10.0.0.7");
  EXPECT_EQ(env.master_port, 29400);
  EXPECT_TRUE(env.is_distributed());
  EXPECT_FALSE(env.is_main_process());
}

TEST(DistributedEnv, RejectsBadValuesNamingVariableAndValue) {
  expect_env_error(with(kTwoRanks, "RANK", "one"), "RANK=\"one\" is not an integer");
  expect_env_error(with(kTwoRanks, "WORLD_SIZE", "2x"), "WORLD_SIZE=\"2x\" is not an integer");
  expect_env_error(with(kTwoRanks, "MASTER_PORT", ""), "MASTER_PORT=\"\" is not an integer");
  expect_env_error(with(kTwoRanks, "RANK", "2"), "RANK=2 must be below WORLD_SIZE=2");
  expect_env_error(with(kTwoRanks, "RANK", "-1"), "RANK=-1 must not be negative");
  expect_env_error(with(kTwoRanks, "WORLD_SIZE", "0"), "WORLD_SIZE=0 must be at least 1");
  expect_env_error(with(kTwoRanks, "LOCAL_RANK", "-2"), "LOCAL_RANK=-2 must not be negative");
  expect_env_error(with(kTwoRanks, "LOCAL_WORLD_SIZE", "1"), "LOCAL_WORLD_SIZE=1 must be in [LOCAL_RANK+1, WORLD_SIZE]");
  expect_env_error(with(kTwoRanks, "LOCAL_WORLD_SIZE", "3"), "LOCAL_WORLD_SIZE=3 must be in");
  expect_env_error(with(kTwoRanks, "MASTER_PORT", "65536"), "MASTER_PORT=65536 is not a TCP port");
  expect_env_error(with(kTwoRanks, "MASTER_PORT", "0"), "MASTER_PORT=0 is not a TCP port");
  expect_env_error(with(kTwoRanks, "MASTER_ADDR", ""), "MASTER_ADDR is set but empty");
  expect_env_error({{"RANK", "0"}}, "RANK=0 is set but WORLD_SIZE is not");
  auto no_addr = kTwoRanks;
  no_addr.erase("MASTER_ADDR");
  expect_env_error(no_addr, "WORLD_SIZE=2 is set but MASTER_ADDR is not");
  auto no_rank = kTwoRanks;
  no_rank.erase("RANK");
  no_rank.erase("LOCAL_RANK");
  expect_env_error(no_rank, "WORLD_SIZE=2 is set but RANK is not");
}

TEST(DistributedEnv, ReadsTorchrunsAgentStoreVariables) {
  EXPECT_FALSE(parse(kTwoRanks).use_agent_store);
  const auto agent = parse(with(with(kTwoRanks, "TORCHELASTIC_USE_AGENT_STORE", "True"), "TORCHELASTIC_RESTART_COUNT", "2"));
  EXPECT_TRUE(agent.use_agent_store);
  EXPECT_EQ(agent.restart_count, 2);
  EXPECT_FALSE(parse(with(kTwoRanks, "TORCHELASTIC_USE_AGENT_STORE", "False")).use_agent_store);
  expect_env_error(with(kTwoRanks, "TORCHELASTIC_USE_AGENT_STORE", "1"),
                   "TORCHELASTIC_USE_AGENT_STORE=\"1\" is neither True nor False");
  expect_env_error(with(kTwoRanks, "TORCHELASTIC_RESTART_COUNT", "-1"),
                   "TORCHELASTIC_RESTART_COUNT=-1 must not be negative");
}

// --- Communicator: two ranks on loopback ----------------------------------------------------------

constexpr std::chrono::seconds kTestTimeout{3};

// Runs body(communicator) on `world_size` threads, one rank each.
std::vector<std::exception_ptr> run_ranks(int64_t world_size, const std::function<void(Communicator&)>& body) {
  return run_on_ranks(world_size, [&](const DistributedEnv& env) {
    Communicator communicator(env, kTestTimeout);
    body(communicator);
  });
}

template <typename ErrorType>
std::string error_message(const std::exception_ptr& error) {
  if (!error) return "(no error)";
  try {
    std::rethrow_exception(error);
  } catch (const ErrorType& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(wrong error type) ") + e.what();
  }
  return "";
}

torch::Tensor parameter_with_grad(const std::vector<double>& grad, torch::IntArrayRef shape,
                                  torch::Dtype dtype = torch::kFloat32) {
  auto p = torch::zeros(shape, torch::dtype(dtype)).requires_grad_(true);
  p.mutable_grad() = torch::tensor(grad, torch::dtype(dtype)).view(shape);
  return p;
}

TEST(Communicator, GradientsAreAveragedAcrossRanksInBuckets) {
  // Per rank r: a = [r+1, 2(r+1), 3(r+1)], d = [[1, -1], [r, 4r]], c has no gradient, b (double) = [10r].
  // Means over r = 0, 1 by hand: a = [1.5, 3, 4.5], d = [[1, -1], [0.5, 2]], b = [5].
  // 4 bytes: one bucket per tensor; 28 bytes: a and d share one; the default: a and d, then b (a dtype
  // change always starts a new bucket).
  for (int64_t bucket_bytes : {int64_t{4}, int64_t{28}, Communicator::kDefaultBucketBytes}) {
    std::vector<torch::Tensor> results[2];
    expect_no_errors(run_ranks(2, [&](Communicator& c) {
      const double r = static_cast<double>(c.rank());
      auto a = parameter_with_grad({r + 1, 2 * (r + 1), 3 * (r + 1)}, {3});
      auto d = parameter_with_grad({1, -1, r, 4 * r}, {2, 2});
      auto no_grad = torch::zeros({4}).requires_grad_(true);
      auto b = parameter_with_grad({10 * r}, {1}, torch::kFloat64);
      c.allreduce_mean_gradients({a, d, no_grad, b}, bucket_bytes);
      EXPECT_FALSE(no_grad.grad().defined());
      results[c.rank()] = {a.grad(), d.grad(), b.grad()};
    }));
    for (int r = 0; r < 2; ++r) {
      ASSERT_EQ(results[r].size(), 3u);
      EXPECT_TRUE(results[r][0].equal(torch::tensor({1.5f, 3.0f, 4.5f}))) << bucket_bytes << " " << results[r][0];
      EXPECT_TRUE(results[r][1].equal(torch::tensor({1.0f, -1.0f, 0.5f, 2.0f}).view({2, 2})))
          << bucket_bytes << " " << results[r][1];
      EXPECT_TRUE(results[r][2].equal(torch::tensor({5.0}, torch::kFloat64))) << bucket_bytes << " " << results[r][2];
    }
  }
}

TEST(Communicator, NoDefinedGradientsIsANoOp) {
  expect_no_errors(run_ranks(2, [](Communicator& c) {
    auto p = torch::zeros({2}).requires_grad_(true);
    c.allreduce_mean_gradients({p});
    EXPECT_FALSE(p.grad().defined());
  }));
}

TEST(Communicator, RanksDisagreeingOnDefinedGradientsAreRejected) {
  const auto errors = run_ranks(2, [](Communicator& c) {
    auto a = parameter_with_grad({1}, {1});
    auto b = torch::zeros({1}).requires_grad_(true);
    if (c.rank() == 1) b.mutable_grad() = torch::ones({1});
    c.allreduce_mean_gradients({a, b});
  });
  for (int r = 0; r < 2; ++r)
    EXPECT_NE(error_message<InvalidArgument>(errors[r]).find("ranks disagree on which gradients are defined"),
              std::string::npos)
        << error_message<InvalidArgument>(errors[r]);
}

TEST(Communicator, BroadcastCopiesRankZerosParametersAndBuffers) {
  torch::Tensor weights[2], masks[2];
  expect_no_errors(run_ranks(2, [&](Communicator& c) {
    const bool zero = c.rank() == 0;
    auto w = torch::tensor({zero ? 1.5f : -7.0f, zero ? 2.5f : -8.0f}).requires_grad_(true);
    auto mask = torch::tensor({zero, !zero});
    c.broadcast_from_rank0({w, mask});
    weights[c.rank()] = w.detach();
    masks[c.rank()] = mask;
  }));
  for (int r = 0; r < 2; ++r) {
    EXPECT_TRUE(weights[r].equal(torch::tensor({1.5f, 2.5f}))) << weights[r];
    EXPECT_TRUE(masks[r].equal(torch::tensor({true, false}))) << masks[r];
  }
}

TEST(Communicator, AllReduceSumMinMax) {
  // rank 0 holds [1, 5], rank 1 [3, 2].
  torch::Tensor sums[2], mins[2], maxs[2];
  expect_no_errors(run_ranks(2, [&](Communicator& c) {
    const auto mine = c.rank() == 0 ? torch::tensor({1, 5}, torch::kInt64) : torch::tensor({3, 2}, torch::kInt64);
    sums[c.rank()] = mine.clone();
    mins[c.rank()] = mine.to(torch::kFloat32);
    maxs[c.rank()] = mine.to(torch::kFloat64);
    c.allreduce(sums[c.rank()], ReduceOp::kSum);
    c.allreduce(mins[c.rank()], ReduceOp::kMin);
    c.allreduce(maxs[c.rank()], ReduceOp::kMax);
    c.barrier();
  }));
  for (int r = 0; r < 2; ++r) {
    EXPECT_TRUE(sums[r].equal(torch::tensor({4, 7}, torch::kInt64))) << sums[r];
    EXPECT_TRUE(mins[r].equal(torch::tensor({1.0f, 2.0f}))) << mins[r];
    EXPECT_TRUE(maxs[r].equal(torch::tensor({3.0, 5.0}, torch::kFloat64))) << maxs[r];
  }
}

TEST(Communicator, AllGatherRowsWithUnequalRowCounts) {
  // Three ranks: 2 rows, 0 rows, 3 rows of width 2.
  const std::vector<torch::Tensor> shards = {torch::tensor({1.f, 2.f, 3.f, 4.f}).view({2, 2}),
                                             torch::zeros({0, 2}),
                                             torch::tensor({5.f, 6.f, 7.f, 8.f, 9.f, 10.f}).view({3, 2})};
  const auto expected = torch::tensor({1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f, 8.f, 9.f, 10.f}).view({5, 2});
  torch::Tensor gathered[3];
  expect_no_errors(run_ranks(3, [&](Communicator& c) { gathered[c.rank()] = c.all_gather_rows(shards[c.rank()]); }));
  for (int r = 0; r < 3; ++r) EXPECT_TRUE(gathered[r].equal(expected)) << "rank " << r << ": " << gathered[r];
}

TEST(Communicator, AllGatherRowsRejectsDifferentRowShapes) {
  const auto errors = run_ranks(2, [](Communicator& c) { c.all_gather_rows(torch::zeros({2, c.rank() == 0 ? 3 : 4})); });
  for (int r = 0; r < 2; ++r)
    EXPECT_NE(error_message<InvalidArgument>(errors[r]).find("rows of shape [*, 3]"), std::string::npos)
        << error_message<InvalidArgument>(errors[r]);
}

TEST(Communicator, CheckAgreementDetectsAMismatch) {
  const auto agreeing = run_ranks(2, [](Communicator& c) { c.check_agreement("the dataset", 0xfeedULL); });
  expect_no_errors(agreeing);
  const auto disagreeing = run_ranks(2, [](Communicator& c) {
    c.check_agreement("the dataset", c.rank() == 0 ? 0xfeedULL : 0xbeefULL);
  });
  for (int r = 0; r < 2; ++r) {
    const auto message = error_message<InvalidArgument>(disagreeing[r]);
    EXPECT_NE(message.find("ranks disagree on the dataset: rank 0 has 000000000000feed, rank 1 has 000000000000beef"),
              std::string::npos)
        << message;
  }
}

TEST(Communicator, AStuckPeerMakesTheCollectiveFailWithinTheTimeout) {
  // Rank 1 joins, then makes no call until rank 0 has given up: rank 0's all-reduce must end with IoError
  // (this test would hang otherwise), and the group is unusable afterwards.
  std::atomic<bool> rank0_done{false};
  const auto errors = run_ranks(2, [&](Communicator& c) {
    if (c.rank() == 1) {
      while (!rank0_done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return;
    }
    auto t = torch::ones({2});
    try {
      c.allreduce(t, ReduceOp::kSum);
    } catch (...) {
      rank0_done = true;
      EXPECT_THROW(c.barrier(), IoError);
      throw;
    }
    rank0_done = true;
  });
  const auto message = error_message<IoError>(errors[0]);
  EXPECT_NE(message.find("distributed all-reduce failed on rank 0 of 2 (timeout 3 s)"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(Communicator, ADeadPeerProcessMakesTheCollectiveFail) {
  const int port = free_port();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Rank 1 joins the group and dies without taking part in any collective.
    try {
      Communicator c(loopback_env(1, 2, port), kTestTimeout);
    } catch (...) {
    }
    ::_exit(0);
  }
  std::string message;
  try {
    Communicator c(loopback_env(0, 2, port), kTestTimeout);
    ::waitpid(child, nullptr, 0);  // rank 1 is gone before rank 0's first collective
    auto t = torch::ones({2});
    c.allreduce(t, ReduceOp::kSum);
  } catch (const IoError& e) {
    message = e.what();
  }
  ::waitpid(child, nullptr, WNOHANG);
  EXPECT_NE(message.find("distributed all-reduce failed on rank 0 of 2"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(Communicator, UnderTorchrunsAgentStoreEveryRankIsAClient) {
  // The test plays torchrun's agent: it serves the store on MASTER_PORT before the ranks start, so a rank 0
  // that tried to serve it as well could not bind the port.
  const int port = free_port();
  c10d::TCPStoreOptions agent_options;
  agent_options.port = static_cast<uint16_t>(port);
  agent_options.isServer = true;
  agent_options.waitWorkers = false;
  agent_options.timeout = kTestTimeout;
  auto agent = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", agent_options);
  std::vector<double> sums(2, 0.0);
  const auto errors = run_on_ranks(
      2,
      [&](DistributedEnv env) {
        env.use_agent_store = true;
        env.restart_count = 1;
        Communicator c(env, kTestTimeout);
        auto t = torch::full({1}, static_cast<double>(env.rank + 1), torch::kDouble);
        c.allreduce(t, ReduceOp::kSum);
        sums[static_cast<size_t>(env.rank)] = t.item<double>();
      },
      port);
  expect_no_errors(errors);
  EXPECT_EQ(sums, (std::vector<double>{3.0, 3.0}));
}

TEST(Communicator, ARankThatNeverArrivesFailsTheJoin) {
  std::string message;
  try {
    Communicator c(loopback_env(0, 2, free_port()), std::chrono::seconds(1));
  } catch (const IoError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("could not join the distributed group at 127.0.0.1:"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

}  // namespace
}  // namespace jpqd::training
