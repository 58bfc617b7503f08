// Range initialisation statistics against numpy (tests/fixtures/quantization/make_range_init_reference.py,
// run with Debian's python3 + numpy; its output is committed) and the init formulas against hand values.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "common/json_util.h"
#include "compression/quantization/range_statistics.h"

namespace jpqd::compression {
namespace {

constexpr double kStatTolerance = 1e-9;  // absolute; statistics are computed in float64 on float32 data

Json reference() {
  return read_json_file(std::string(JPQD_SOURCE_DIR) + "/tests/fixtures/quantization/range_init_reference.json");
}

torch::Tensor to_tensor(const Json& rows) {
  std::vector<float> flat;
  for (const auto& r : rows)
    for (const auto& v : r) flat.push_back(v.get<float>());
  return torch::tensor(flat).reshape({static_cast<int64_t>(rows.size()), -1});
}

void expect_values(const torch::Tensor& got, const Json& expected, const std::string& what) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(expected.size())) << what;
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(got[i].item<double>(), expected[i].get<double>(), kStatTolerance) << what << "[" << i << "]";
}

void check_type(RangeInitType type, const std::string& key) {
  const Json ref = reference();
  for (bool per_channel : {false, true}) {
    RangeStatistics stats(type, 0.0, 100.0, per_channel);
    for (const auto& b : ref["batches"]) stats.add(to_tensor(b));
    auto [min, max] = stats.min_max();
    const Json& e = ref[per_channel ? "per_channel" : "per_tensor"];
    expect_values(min, e[key]["min"], key + " min");
    expect_values(max, e[key]["max"], key + " max");
  }
}

TEST(QuantizationRangeInit, MinMaxMatchesNumpy) { check_type(RangeInitType::kMinMax, "min_max"); }

TEST(QuantizationRangeInit, MeanMinMaxMatchesNumpy) { check_type(RangeInitType::kMeanMinMax, "mean_min_max"); }

TEST(QuantizationRangeInit, PercentileMatchesNumpyOverAllValues) {
  const Json ref = reference();
  const std::vector<std::pair<double, double>> pairs = {{0.01, 99.99}, {10.0, 37.5}};
  for (bool per_channel : {false, true}) {
    for (auto [lo_q, hi_q] : pairs) {
      RangeStatistics stats(RangeInitType::kPercentile, lo_q, hi_q, per_channel);
      for (const auto& b : ref["batches"]) stats.add(to_tensor(b));
      auto [min, max] = stats.min_max();
      const Json& e = ref[per_channel ? "per_channel" : "per_tensor"]["percentile"];
      auto key = [](double q) {
        std::ostringstream s;
        s << q;
        std::string k = s.str();
        return k.find('.') == std::string::npos ? k + ".0" : k;  // Python's repr of a float
      };
      expect_values(min, e[key(lo_q)], "percentile " + key(lo_q));
      expect_values(max, e[key(hi_q)], "percentile " + key(hi_q));
    }
  }
}

// Hand case: sorted 0..9, q = 25 -> position 2.25 -> 2.25; q = 95 -> position 8.55 -> 8.55.
TEST(QuantizationRangeInit, PercentileLinearHandValues) {
  const auto v = torch::tensor({9.f, 3.f, 0.f, 7.f, 1.f, 5.f, 2.f, 8.f, 4.f, 6.f}).reshape({1, 10});
  EXPECT_NEAR(percentile_linear(v, 25).item<double>(), 2.25, kStatTolerance);
  EXPECT_NEAR(percentile_linear(v, 95).item<double>(), 8.55, kStatTolerance);
  EXPECT_NEAR(percentile_linear(v, 0).item<double>(), 0.0, kStatTolerance);
  EXPECT_NEAR(percentile_linear(v, 100).item<double>(), 9.0, kStatTolerance);
}

// scale = max(|min|, |max|) per channel, each channel floored at 0.1 on its own.
TEST(QuantizationRangeInit, SymmetricInitFloorsEachChannelAtPointOne) {
  const auto min = torch::tensor({-0.05, -2.0, 0.01, -0.1}, torch::kDouble);
  const auto max = torch::tensor({0.08, 1.0, 3.0, 0.02}, torch::kDouble);
  auto [scale, is_signed] = symmetric_init(min, max, std::nullopt);
  EXPECT_TRUE(is_signed);
  EXPECT_TRUE(torch::allclose(scale, torch::tensor({0.1, 2.0, 3.0, 0.1}, torch::kDouble)));
  EXPECT_FALSE(symmetric_init(torch::tensor({0.0, 0.5}, torch::kDouble), max.slice(0, 0, 2), std::nullopt).second);
  EXPECT_TRUE(symmetric_init(torch::tensor({0.0, 0.5}, torch::kDouble), max.slice(0, 0, 2), true).second);
  EXPECT_FALSE(symmetric_init(min, max, false).second);
}

// ranges [4, 0.02, 0], max range 4 -> clamped to [4, 0.04, 0.04], corrections [0, 0.01, 0.02].
TEST(QuantizationRangeInit, AsymmetricInitWidensTinyRanges) {
  const auto min = torch::tensor({-1.0, 0.0, 2.0}, torch::kDouble);
  const auto max = torch::tensor({3.0, 0.02, 2.0}, torch::kDouble);
  auto [low, range] = asymmetric_init(min, max);
  EXPECT_TRUE(torch::allclose(range, torch::tensor({4.0, 0.04, 0.04}, torch::kDouble)));
  EXPECT_TRUE(torch::allclose(low, torch::tensor({-1.0, -0.01, 1.98}, torch::kDouble)));
}

}  // namespace
}  // namespace jpqd::compression
