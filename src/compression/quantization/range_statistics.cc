#include "compression/quantization/range_statistics.h"

#include <cmath>

#include "common/error.h"

namespace jpqd::compression {

RangeStatistics::RangeStatistics(RangeInitType type, double min_percentile, double max_percentile, bool per_channel)
    : type_(type), min_percentile_(min_percentile), max_percentile_(max_percentile), per_channel_(per_channel) {}

void RangeStatistics::add(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  TORCH_CHECK(x.numel() > 0, "range statistics: empty tensor");
  // [channels, n]; statistics are kept on the CPU, away from the training device's memory.
  torch::Tensor v = x.detach().to(torch::kCPU, torch::kFloat);
  v = per_channel_ ? v.reshape({v.size(0), -1}) : v.reshape({1, -1});
  switch (type_) {
    case RangeInitType::kMinMax: {
      const torch::Tensor lo = std::get<0>(v.min(1)), hi = std::get<0>(v.max(1));
      min_ = min_.defined() ? torch::min(min_, lo) : lo;
      max_ = max_.defined() ? torch::max(max_, hi) : hi;
      break;
    }
    case RangeInitType::kMeanMinMax:
      batch_min_.push_back(std::get<0>(v.min(1)));
      batch_max_.push_back(std::get<0>(v.max(1)));
      break;
    case RangeInitType::kPercentile:
      values_.push_back(v.clone());
      break;
  }
  ++batches_;
}

void RangeStatistics::reduce_across_ranks(Collectives& ranks) {
  auto count = torch::full({1}, batches_, torch::kInt64);
  auto fewest = count.clone();
  ranks.all_reduce_min(fewest);
  ranks.all_reduce_max(count);
  TORCH_CHECK(fewest.item<int64_t>() == count.item<int64_t>() && batches_ > 0,
              "range statistics: ranks collected different numbers of batches (", fewest.item<int64_t>(), " to ",
              count.item<int64_t>(), ")");
  switch (type_) {
    case RangeInitType::kMinMax:
      ranks.all_reduce_min(min_);
      ranks.all_reduce_max(max_);
      break;
    case RangeInitType::kMeanMinMax: {
      auto lows = torch::stack(batch_min_), highs = torch::stack(batch_max_);
      ranks.all_reduce_min(lows);
      ranks.all_reduce_max(highs);
      batch_min_ = lows.unbind(0);
      batch_max_ = highs.unbind(0);
      break;
    }
    case RangeInitType::kPercentile:
      // Percentiles do not depend on the order of the values, only on which values were seen.
      values_ = {ranks.all_gather_rows(torch::cat(values_, 1).t().contiguous()).t()};
      break;
  }
}

std::pair<torch::Tensor, torch::Tensor> RangeStatistics::min_max() const {
  TORCH_CHECK(batches_ > 0, "range statistics: nothing was collected");
  switch (type_) {
    case RangeInitType::kMinMax:
      return {min_.to(torch::kDouble), max_.to(torch::kDouble)};
    case RangeInitType::kMeanMinMax:
      return {torch::stack(batch_min_).to(torch::kDouble).mean(0), torch::stack(batch_max_).to(torch::kDouble).mean(0)};
    case RangeInitType::kPercentile: {
      const torch::Tensor all = torch::cat(values_, 1);
      return {percentile_linear(all, min_percentile_), percentile_linear(all, max_percentile_)};
    }
  }
  return {};
}

torch::Tensor percentile_linear(const torch::Tensor& values, double q) {
  TORCH_CHECK(values.dim() == 2 && values.size(1) > 0, "percentile: expected [channels, n] values");
  TORCH_CHECK(q >= 0 && q <= 100, "percentile: q must be in [0, 100], got ", q);
  const torch::Tensor sorted = std::get<0>(values.to(torch::kDouble).sort(1));
  const int64_t n = sorted.size(1);
  const double position = q / 100.0 * static_cast<double>(n - 1);
  const int64_t below = std::min<int64_t>(static_cast<int64_t>(std::floor(position)), n - 1);
  const int64_t above = std::min<int64_t>(below + 1, n - 1);
  const double t = position - static_cast<double>(below);
  const torch::Tensor a = sorted.select(1, below), b = sorted.select(1, above);
  const torch::Tensor diff = b - a;
  // numpy's _lerp: from the nearer end, so t = 1 gives b exactly.
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

std::pair<torch::Tensor, bool> symmetric_init(const torch::Tensor& min, const torch::Tensor& max,
                                              std::optional<bool> signedness_to_force) {
  const bool any_negative = min.lt(0).any().item<bool>();
  const bool is_signed = signedness_to_force.value_or(any_negative);
  const torch::Tensor abs_max = torch::max(min.abs(), max.abs());
  const torch::Tensor scale = torch::where(abs_max.gt(kSymmetricScaleFloor), abs_max,
                                           torch::full_like(abs_max, kSymmetricScaleFloor));
  return {scale, is_signed};
}

std::pair<torch::Tensor, torch::Tensor> asymmetric_init(const torch::Tensor& min, const torch::Tensor& max) {
  const torch::Tensor ranges = (max - min).abs();
  const double max_range = (max - min).max().item<double>();
  const torch::Tensor correction = (ranges.clamp(kAsymmetricMinRangeShare * max_range, max_range) - ranges) * 0.5;
  return {min - correction, ranges + 2 * correction};
}

}  // namespace jpqd::compression
