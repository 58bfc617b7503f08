#include "compression/quantization/range_statistics.h"

#include <cmath>

#include "common/error.h"

namespace jpqd::compression {

RangeStatistics::RangeStatistics(RangeInitType type, double min_percentile, double max_percentile, bool per_channel,
                                 bool is_weights, QuantizationMode mode)
    : type_(type),
      min_percentile_(min_percentile),
      max_percentile_(max_percentile),
      per_channel_(per_channel),
      // NNCF also reduces per-channel activations per sample under mixed_min_max, but aggregates them by min
      // and max, which gives the extremes of the whole batch anyway.
      per_sample_(type == RangeInitType::kMixedMinMax && !is_weights && !per_channel),
      abs_max_(mode == QuantizationMode::kSymmetric) {
  // NNCF's RangeInitCollectorParams.use_means_of_mins / use_means_of_maxs (common/quantization/initialization/range.py).
  const bool per_tensor_activation = !is_weights && !per_channel;
  low_.is_low = true;
  high_.is_low = false;
  if (type == RangeInitType::kMeanMinMax) {
    low_.mean = high_.mean = true;
  } else if (type == RangeInitType::kMixedMinMax) {
    low_.mean = per_tensor_activation && mode == QuantizationMode::kAsymmetric;
    high_.mean = per_tensor_activation;
  }
}

void RangeStatistics::End::add(const torch::Tensor& reduced) {
  if (mean) {
    units.push_back(reduced.to(torch::kDouble));
    return;
  }
  const torch::Tensor e = std::get<0>(is_low ? reduced.min(0) : reduced.max(0));
  if (!extreme.defined()) extreme = e;
  else extreme = is_low ? torch::min(extreme, e) : torch::max(extreme, e);
}

void RangeStatistics::End::reduce_across_ranks(Collectives& ranks, bool per_sample) {
  if (!mean) {
    if (is_low) ranks.all_reduce_min(extreme);
    else ranks.all_reduce_max(extreme);
    return;
  }
  torch::Tensor all = torch::cat(units, 0);
  if (per_sample) {
    units = {ranks.all_gather_rows(all)};
    return;
  }
  if (is_low) ranks.all_reduce_min(all);
  else ranks.all_reduce_max(all);
  units = {all};
}

torch::Tensor RangeStatistics::End::value() const {
  if (!mean) return extreme.to(torch::kDouble);
  // Sorted first, so the rounding of the mean does not depend on the order in which ranks deliver samples.
  return std::get<0>(torch::cat(units, 0).sort(0)).mean(0);
}

void RangeStatistics::add(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  TORCH_CHECK(x.numel() > 0, "range statistics: empty tensor");
  // Statistics are kept on the CPU, away from the training device's memory.
  torch::Tensor v = x.detach().to(torch::kCPU, torch::kFloat);
  if (type_ == RangeInitType::kPercentile) {
    values_.push_back((per_channel_ ? v.reshape({v.size(0), -1}) : v.reshape({1, -1})).clone());
    ++batches_;
    return;
  }
  // Rows are the units reduced on their own (samples, or the one batch), columns the channels.
  torch::Tensor lows, highs;
  if (per_sample_) {
    v = v.reshape({v.dim() == 0 ? 1 : v.size(0), -1});
    lows = std::get<0>(v.min(1, /*keepdim=*/true));
    highs = std::get<0>((abs_max_ ? v.abs() : v).max(1, /*keepdim=*/true));
  } else {
    v = per_channel_ ? v.reshape({v.size(0), -1}) : v.reshape({1, -1});
    lows = std::get<0>(v.min(1)).unsqueeze(0);
    highs = std::get<0>((abs_max_ ? v.abs() : v).max(1)).unsqueeze(0);
  }
  low_.add(lows);
  high_.add(highs);
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
  if (type_ == RangeInitType::kPercentile) {
    // Percentiles do not depend on the order of the values, only on which values were seen.
    values_ = {ranks.all_gather_rows(torch::cat(values_, 1).t().contiguous()).t()};
    return;
  }
  low_.reduce_across_ranks(ranks, per_sample_);
  high_.reduce_across_ranks(ranks, per_sample_);
}

std::pair<torch::Tensor, torch::Tensor> RangeStatistics::min_max() const {
  TORCH_CHECK(batches_ > 0, "range statistics: nothing was collected");
  if (type_ == RangeInitType::kPercentile) {
    const torch::Tensor all = torch::cat(values_, 1);
    return {percentile_linear(all, min_percentile_), percentile_linear(all, max_percentile_)};
  }
  return {low_.value(), high_.value()};
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
