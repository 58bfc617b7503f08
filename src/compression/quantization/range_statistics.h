// Range initialisation (ALGORITHMS.md 3.3): statistics collected from the tensors a quantizer sees, and the
// formulas that turn per-channel (min, max) into quantizer parameters.
#pragma once

#include <torch/torch.h>

#include <optional>
#include <utility>
#include <vector>

#include "compression/api/collectives.h"
#include "compression/config/quantization_config.h"

namespace jpqd::compression {

// One statistic per channel (dim 0 of the tensor) when per_channel, else one for the whole tensor.
//   min_max      - min and max over everything seen
//   mean_min_max - mean over the added tensors (batches) of each one's min and max
//   percentile   - numpy's percentile (method "linear") over ALL values seen, e.g. 0.01 % and 99.99 %
class RangeStatistics {
 public:
  RangeStatistics(RangeInitType type, double min_percentile, double max_percentile, bool per_channel);

  void add(const torch::Tensor& x);
  bool empty() const { return batches_ == 0; }
  int64_t batches() const { return batches_; }

  // Combines every rank's statistics into what one process seeing all their data would hold:
  // running extremes by min/max, per-batch extremes batch by batch (rank r's batch k is a share of the
  // single process's batch k, so its min is the min over ranks), percentile values by concatenation.
  // Every rank must have added the same number of batches.
  void reduce_across_ranks(Collectives& ranks);

  // (min, max), each [channels] (or [1]) in float64.
  std::pair<torch::Tensor, torch::Tensor> min_max() const;

 private:
  RangeInitType type_;
  double min_percentile_, max_percentile_;
  bool per_channel_;
  int64_t batches_ = 0;
  torch::Tensor min_, max_;                       // min_max: running extremes
  std::vector<torch::Tensor> batch_min_, batch_max_;  // mean_min_max
  std::vector<torch::Tensor> values_;                 // percentile: [channels, n] chunks
};

// numpy.percentile(values, q, axis=1) with method "linear", for values [channels, n]; q in [0, 100].
// Computed in float64: position q/100 * (n - 1) between the sorted neighbours, interpolated as numpy's _lerp.
torch::Tensor percentile_linear(const torch::Tensor& values, double q);

// NNCF's symmetric init: signed = any(min < 0) unless forced; scale = max(|min|, |max|) per channel, and
// every channel whose scale is not above 0.1 gets exactly 0.1 (an element-wise floor, not a floor on the
// largest channel). Returns (scale [channels] float64, signed).
std::pair<torch::Tensor, bool> symmetric_init(const torch::Tensor& min, const torch::Tensor& max,
                                              std::optional<bool> signedness_to_force);

// NNCF's asymmetric init: ranges = max - min, mr = max(ranges), corr = (clamp(ranges, 0.01 mr, mr) - ranges) / 2,
// input_range = ranges + 2 corr, input_low = min - corr. Returns (input_low, input_range), float64.
std::pair<torch::Tensor, torch::Tensor> asymmetric_init(const torch::Tensor& min, const torch::Tensor& max);

constexpr double kSymmetricScaleFloor = 0.1;
constexpr double kAsymmetricMinRangeShare = 0.01;

}  // namespace jpqd::compression
