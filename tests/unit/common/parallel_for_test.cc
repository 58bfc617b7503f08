#include "common/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace jpqd {
namespace {

TEST(ParallelFor, EveryItemOnceWithItsOwnResult) {
  for (const size_t n : {0, 1, 2, 7, 1000, 100000}) {
    for (const int threads : {1, 2, 3, 8}) {
      std::vector<size_t> out(n, 0);
      std::vector<std::atomic<int>> calls(n);
      parallel_for(n, threads, [&](size_t i) {
        out[i] = i * i;
        ++calls[i];
      });
      for (size_t i = 0; i < n; ++i) {
        ASSERT_EQ(out[i], i * i) << n << " items, " << threads << " threads";
        ASSERT_EQ(calls[i].load(), 1) << n << " items, " << threads << " threads";
      }
    }
  }
}

TEST(ParallelFor, ProgressCountsEveryItemOnTheCallingThread) {
  const auto caller = std::this_thread::get_id();
  for (const int threads : {1, 2, 4}) {
    size_t reported = 0;
    parallel_for(
        5000, threads, [](size_t) {},
        [&](size_t k) {
          EXPECT_EQ(std::this_thread::get_id(), caller);
          EXPECT_GT(k, 0u);
          reported += k;
        });
    EXPECT_EQ(reported, 5000u) << threads << " threads";
  }
}

TEST(ParallelFor, RethrowsTheFailureASerialLoopWouldMeetFirst) {
  for (const int threads : {1, 2, 4}) {
    std::vector<std::atomic<int>> ran(20000);
    try {
      parallel_for(20000, threads, [&](size_t i) {
        ++ran[i];
        if (i == 1234 || i == 1240 || i == 15000) throw std::runtime_error("item " + std::to_string(i));
      });
      FAIL() << "no exception with " << threads << " threads";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "item 1234") << threads << " threads";
    }
    for (size_t i = 0; i <= 1234; ++i) ASSERT_EQ(ran[i].load(), 1) << "item " << i << ", " << threads << " threads";
  }
}

TEST(ParallelFor, WorkerThreadsDefaultsToTheHardware) {
  EXPECT_EQ(worker_threads(3), 3);
  EXPECT_GE(worker_threads(0), 1);
  EXPECT_EQ(worker_threads(0), worker_threads(-1));
}

}  // namespace
}  // namespace jpqd
