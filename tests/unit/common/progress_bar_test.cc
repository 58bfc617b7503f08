#include "common/progress_bar.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>

namespace jpqd {
namespace {

// The rate printed on the last plain progress line of `log`.
double logged_rate(const std::string& log) {
  static const std::regex rate(R"(left, ([0-9.e+-]+) it/s\))");
  double last = -1;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), rate); it != std::sregex_iterator(); ++it)
    last = std::stod((*it)[1].str());
  return last;
}

// A run resumed at step 2,500 once printed "2500/6000 ... 1.3e+10 it/s": the steps of the earlier process
// were counted as done in no time.
TEST(ProgressBar, ResumedRunLeavesEarlierStepsOutOfTheRate) {
  testing::internal::CaptureStderr();
  {
    ProgressBar bar("train", 6000, "it", 1000);
    bar.start_at(2500);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    bar.close();
  }
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("train: 2500/6000 it"), std::string::npos) << log;
  EXPECT_EQ(logged_rate(log), 0.0) << log;
  EXPECT_NE(log.find("? left"), std::string::npos) << log;
}

TEST(ProgressBar, RateCountsOnlyThisProcesssWork) {
  testing::internal::CaptureStderr();
  {
    ProgressBar bar("train", 6000, "it", 1000);
    bar.start_at(2500);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    bar.update(10);
    bar.close();
  }
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("train: 2510/6000 it"), std::string::npos) << log;
  // 10 items in at least 0.1 s: at most 100 per second (counting the 2,500 would give over 25,000).
  const double rate = logged_rate(log);
  EXPECT_GT(rate, 0.0) << log;
  EXPECT_LE(rate, 100.0) << log;
}

TEST(ProgressBar, PlainLinesResumeAtTheNextMultiple) {
  testing::internal::CaptureStderr();
  {
    ProgressBar bar("train", 6000, "it", 1000);
    bar.start_at(2500);
    bar.update(400);  // 2,900: no line due
    bar.update(100);  // 3,000: due
  }
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_EQ(log.find("2900/6000"), std::string::npos) << log;
  EXPECT_NE(log.find("train: 3000/6000 it"), std::string::npos) << log;
}

}  // namespace
}  // namespace jpqd
