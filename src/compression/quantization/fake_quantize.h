// Fake quantization with trainable ranges: NNCF's quantize functions (docs/algorithms.md 3.2).
//
// Generic fake-quantize of x with range [lo, lo + R] on L levels:
//   s  = (L - 1) / R,   zp = round(-lo * s)
//   k  = round((clamp(x, lo, lo + R) - lo) * s - zp)        integer level, in [ll, lh]
//   y  = k * (R / (L - 1))
// NNCF writes the last line as k / s; we multiply by the step instead (at most one float ulp apart) so that
// an exported (int8 k, scale = R / (L - 1)) dequantizes to exactly y (export_params.h).
// Rounding is torch.round: half to even, as NNCF's CPU kernel (its CUDA kernel rounds half away from zero).
//
// Backward, per element (hi = lo + R, alpha = ll / lh), summed over the elements that share a range:
//   dx  = g                        if lo <= x <= hi, else 0     (straight-through with clipping)
//   dR  = g * (y - x) / R          if lo <= x <= hi;   g if x > hi;   alpha * g if x < lo
//   dlo = g                        if x < lo or x > hi           (asymmetric only)
// For symmetric quantizers dscale := dR with no chain rule through lo (NNCF's kernel, replicated as is).
#pragma once

#include <torch/torch.h>

#include <utility>

namespace jpqd::compression {

// Integer levels of a quantizer: k in [low, high], levels() = high - low + 1.
struct QuantizerLevels {
  int64_t low = 0;
  int64_t high = 255;
  int64_t levels() const { return high - low + 1; }
  // ll / lh: the share of the range below zero for symmetric quantizers (the alpha of the backward).
  double alpha() const { return static_cast<double>(low) / static_cast<double>(high); }
};

// NNCF's level ranges. Symmetric signed: [-2^(b-1), 2^(b-1) - 1]; unsigned: [0, 2^b - 1]; narrow_range
// raises the low end by one ([-127, 127] for 8-bit signed weights). Asymmetric: [0, 2^b - 1], narrow_range
// lowers the high end by one. half_range (overflow fix) uses b - 1 bits and no narrow range ([-64, 63]).
QuantizerLevels symmetric_levels(int64_t bits, bool is_signed, bool narrow_range, bool half_range);
QuantizerLevels asymmetric_levels(int64_t bits, bool narrow_range, bool half_range);

// The integer level k of every element (as a float tensor), the forward's first half.
torch::Tensor quantize_levels(const torch::Tensor& x, const torch::Tensor& lo, const torch::Tensor& range,
                              int64_t levels);
// R / (L - 1): the size of one level (the export scale).
torch::Tensor quantization_step(const torch::Tensor& range, int64_t levels);

// Symmetric range from a positive scale: lo = scale * ll / lh, R = scale - lo.
std::pair<torch::Tensor, torch::Tensor> symmetric_range(const torch::Tensor& scale_safe, const QuantizerLevels& levels);

// The forward/backward above with (lo, R) from symmetric_range(scale_safe); gradients for x and scale_safe.
class QuantizeSymmetricFunction : public torch::autograd::Function<QuantizeSymmetricFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& scale_safe, int64_t level_low, int64_t level_high);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs);
};

// The forward/backward above for a given (lo, R); gradients for x, lo and R.
class QuantizeAsymmetricFunction : public torch::autograd::Function<QuantizeAsymmetricFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& lo,
                               const torch::Tensor& range, int64_t level_low, int64_t level_high);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs);
};

// NNCF's TuneRange: moves (lo, R) so that 0.0 falls exactly on a level (docs/algorithms.md 3.2). Gradients pass
// straight through. Returns (lo', R').
class TuneRangeFunction : public torch::autograd::Function<TuneRangeFunction> {
 public:
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& lo,
                                                const torch::Tensor& range, int64_t levels);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs);
};

// Added to |scale| and |input_range| so a range never collapses to zero (NNCF's eps).
constexpr double kRangeEpsilon = 1e-16;

// NNCF's symmetric_quantize: scale_safe = |scale| + eps, then QuantizeSymmetricFunction.
torch::Tensor symmetric_quantize(const torch::Tensor& x, const torch::Tensor& scale, const QuantizerLevels& levels);
// NNCF's asymmetric_quantize: R = |input_range| + eps, TuneRange, then QuantizeAsymmetricFunction.
torch::Tensor asymmetric_quantize(const torch::Tensor& x, const torch::Tensor& input_low,
                                  const torch::Tensor& input_range, const QuantizerLevels& levels);
// The (lo, R) an asymmetric quantizer actually uses (after |.| + eps and TuneRange), without autograd.
std::pair<torch::Tensor, torch::Tensor> asymmetric_effective_range(const torch::Tensor& input_low,
                                                                   const torch::Tensor& input_range, int64_t levels);

}  // namespace jpqd::compression
