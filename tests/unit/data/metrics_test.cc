// Metrics on small vectors whose values are derived by hand in the comments.
#include "data/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

#include "data/glue_metrics.h"
#include "test_util.h"

namespace jpqd::data {
namespace {

// Hand values are written with 6 significant digits.
constexpr double kHandRoundingTolerance = 1e-6;

// pred 1 0 1 1 0 / ref 1 1 1 0 0: tp = 2 (0, 2), tn = 1 (4), fp = 1 (3), fn = 1 (1).
const std::vector<int64_t> kPred = {1, 0, 1, 1, 0};
const std::vector<int64_t> kRef = {1, 1, 1, 0, 0};

TEST(Metrics, Accuracy) { EXPECT_DOUBLE_EQ(accuracy(kPred, kRef), 3.0 / 5.0); }

TEST(Metrics, F1Binary) {
  // 2 tp / (2 tp + fp + fn) = 4 / 6.
  EXPECT_DOUBLE_EQ(f1_binary(kPred, kRef), 4.0 / 6.0);
  // No positive predicted or present: sklearn's zero_division gives 0.
  EXPECT_DOUBLE_EQ(f1_binary({0, 0}, {0, 0}), 0.0);
  EXPECT_THROW(f1_binary({2}, {1}), InvalidArgument);
}

TEST(Metrics, MatthewsCorrelation) {
  // (tp tn - fp fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn)) = (2 - 1) / sqrt(3 * 3 * 2 * 2) = 1/6.
  EXPECT_NEAR(matthews_correlation(kPred, kRef), 1.0 / 6.0, kHandRoundingTolerance);
  EXPECT_DOUBLE_EQ(matthews_correlation({0, 1}, {1, 0}), -1.0);
  // Constant prediction: the denominator is 0, sklearn returns 0.
  EXPECT_DOUBLE_EQ(matthews_correlation({1, 1, 1}, {0, 1, 1}), 0.0);
  EXPECT_DOUBLE_EQ(matthews_correlation({0, 1, 1}, {1, 1, 1}), 0.0);
  // Three classes: pred 0 1 2 0 / ref 0 1 1 2. s = 4, correct c = 2; true counts t = (1, 2, 1),
  // predicted counts p = (2, 1, 1); (c s - t.p) / sqrt((s^2 - p.p)(s^2 - t.t)) = (8 - 5) / sqrt(10 * 10) = 0.3.
  EXPECT_NEAR(matthews_correlation({0, 1, 2, 0}, {0, 1, 1, 2}), 0.3, kHandRoundingTolerance);
}

TEST(Metrics, Pearson) {
  // x = 1 2 3, y = 1 2 5: deviations (-1, 0, 1) and (-5/3, -2/3, 7/3); sxy = 4, sxx = 2,
  // syy = 78/9; r = 4 / sqrt(2 * 78/9) = 4 / sqrt(17.3333) = 0.960769.
  EXPECT_NEAR(pearson({1, 2, 3}, {1, 2, 5}), 0.960769, kHandRoundingTolerance);
  EXPECT_TRUE(std::isnan(pearson({1, 1, 1}, {1, 2, 3})));
}

TEST(Metrics, SpearmanAveragesTiedRanks) {
  // x = 1 2 2 3 ranks to 1 2.5 2.5 4; y ranks 1 2 3 4. Deviations (-1.5, 0, 0, 1.5) and
  // (-1.5, -0.5, 0.5, 1.5): sxy = 4.5, sxx = 4.5, syy = 5 -> 4.5 / sqrt(22.5) = 0.948683.
  EXPECT_EQ(average_ranks({1, 2, 2, 3}), (std::vector<double>{1, 2.5, 2.5, 4}));
  EXPECT_EQ(average_ranks({3, 1, 3, 3}), (std::vector<double>{3, 1, 3, 3}));
  EXPECT_NEAR(spearman({1, 2, 2, 3}, {10, 20, 30, 40}), 0.948683, kHandRoundingTolerance);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3}, {1, 2, 5}), 1.0);  // monotonic
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3}, {9, 4, 0}), -1.0);
}

TEST(Metrics, SizeErrors) {
  EXPECT_THROW(accuracy({}, {}), InvalidArgument);
  EXPECT_THROW(accuracy({1, 0}, {1}), InvalidArgument);
  EXPECT_THROW(pearson({1}, {1, 2}), InvalidArgument);
}

TEST(GlueMetrics, NamesAndCombinedScore) {
  const std::vector<double> p(kPred.begin(), kPred.end()), r(kRef.begin(), kRef.end());
  const Json mrpc = compute_glue_metrics("mrpc", p, r);
  EXPECT_EQ(mrpc.size(), 3u);
  EXPECT_DOUBLE_EQ(mrpc["accuracy"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(mrpc["f1"].get<double>(), 4.0 / 6.0);
  EXPECT_NEAR(mrpc["combined_score"].get<double>(), (0.6 + 0.666667) / 2, kHandRoundingTolerance);

  const Json cola = compute_glue_metrics("cola", p, r);
  EXPECT_EQ(cola.size(), 1u);  // one metric: no combined_score
  EXPECT_NEAR(cola["matthews_correlation"].get<double>(), 1.0 / 6.0, kHandRoundingTolerance);

  const Json sst2 = compute_glue_metrics("sst2", p, r);
  EXPECT_EQ(sst2.dump(), "{\"accuracy\":0.6}");

  const Json stsb = compute_glue_metrics("stsb", {1, 2, 3}, {1, 2, 5});
  EXPECT_NEAR(stsb["pearson"].get<double>(), 0.960769, kHandRoundingTolerance);
  EXPECT_DOUBLE_EQ(stsb["spearmanr"].get<double>(), 1.0);
  EXPECT_NEAR(stsb["combined_score"].get<double>(), (0.960769 + 1.0) / 2, kHandRoundingTolerance);

  EXPECT_THROW(compute_glue_metrics("sst2", {0.5}, {1}), InvalidArgument);  // not a class id
  EXPECT_THROW(compute_glue_metrics("imdb", {1}, {1}), InvalidArgument);
}

TEST(GlueMetrics, CustomFilesUseMseOrAccuracy) {
  // (1 - 0)^2 + (2 - 4)^2 = 5, over 2 = 2.5.
  EXPECT_DOUBLE_EQ(compute_custom_metrics(true, {1, 2}, {0, 4})["mse"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(compute_custom_metrics(false, {1, 2}, {1, 0})["accuracy"].get<double>(), 0.5);
}

}  // namespace
}  // namespace jpqd::data
