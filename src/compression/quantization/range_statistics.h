// Range initialisation (docs/algorithms.md 3.3): statistics collected from the tensors a quantizer sees, and the
// formulas that turn per-channel (min, max) into quantizer parameters.
#pragma once

#include <torch/torch.h>

#include <optional>
#include <utility>
#include <vector>

#include "compression/api/collectives.h"
#include "compression/config/quantization_config.h"

namespace jpqd::compression {

// One statistic per channel (dim 0 of the tensor) when per_channel, else one for the whole tensor, built as
// NNCF's torch range initialiser builds it (nncf/torch/quantization/init_range.py):
//   - the low end is the minimum of the values; the high end is the maximum of |values| for symmetric
//     quantizers (NNCF's AbsMaxReducer), of the values for asymmetric ones;
//   - each end is reduced per added tensor (a batch) or, for activations under mixed_min_max, per sample
//     (dim 0 of the tensor), and those reductions are then aggregated by min / max or by their mean:
//
//   type           low end                          high end                      unit
//   min_max        min                              max                           batch
//   mean_min_max   mean                             mean                          batch
//   mixed_min_max  mean if per-tensor asymmetric    mean if per-tensor            sample (activations),
//                  activation, else min             activation, else max          batch (weights)
//   percentile     numpy's percentile (method "linear") over ALL values seen, e.g. 0.01 % and 99.99 %
class RangeStatistics {
 public:
  // The defaults describe an asymmetric activation quantizer, whose ends are the plain extremes.
  RangeStatistics(RangeInitType type, double min_percentile, double max_percentile, bool per_channel,
                  bool is_weights = false, QuantizationMode mode = QuantizationMode::kAsymmetric);

  void add(const torch::Tensor& x);
  bool empty() const { return batches_ == 0; }
  int64_t batches() const { return batches_; }

  // Combines every rank's statistics into what one process seeing all their data would hold:
  // running extremes by min/max, per-batch reductions batch by batch (rank r's batch k is a share of the
  // single process's batch k, so its min is the min over ranks), per-sample reductions and percentile
  // values by concatenation. Every rank must have added the same number of batches.
  void reduce_across_ranks(Collectives& ranks);

  // (min, max), each [channels] (or [1]) in float64.
  std::pair<torch::Tensor, torch::Tensor> min_max() const;

 private:
  // One end of the range: a running extreme, or the reductions whose mean it will be.
  struct End {
    bool mean = false;
    bool is_low = true;
    torch::Tensor extreme;             // [channels], float32
    std::vector<torch::Tensor> units;  // [units, channels] float64 chunks: one row per batch or per sample
    void add(const torch::Tensor& reduced);  // [units, channels]
    void reduce_across_ranks(Collectives& ranks, bool per_sample);
    torch::Tensor value() const;  // [channels], float64
  };

  RangeInitType type_;
  double min_percentile_, max_percentile_;
  bool per_channel_;
  bool per_sample_;  // reduce each sample (dim 0) on its own before aggregating
  bool abs_max_;
  int64_t batches_ = 0;
  End low_, high_;
  std::vector<torch::Tensor> values_;  // percentile: [channels, n] chunks
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
