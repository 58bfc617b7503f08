#include "compression/quantization/fake_quantize.h"

#include "common/error.h"

namespace jpqd::compression {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// y and the saved tensors the backward needs.
torch::Tensor fake_quantize_forward(const torch::Tensor& x, const torch::Tensor& lo, const torch::Tensor& range,
                                    int64_t levels) {
  return quantize_levels(x, lo, range, levels) * quantization_step(range, levels);
}

// Gradients for (x, lo, R) of the kernel backward (docs/algorithms.md 3.2); grad_lo only when asymmetric.
variable_list fake_quantize_backward(const torch::Tensor& g, const torch::Tensor& x, const torch::Tensor& lo,
                                     const torch::Tensor& range, const torch::Tensor& y, double alpha,
                                     bool asymmetric) {
  const torch::Tensor mask_hi = x.gt(lo + range);
  const torch::Tensor mask_lo = x.lt(lo);
  torch::Tensor err = (y - x) * range.reciprocal();
  err = err.masked_fill(mask_hi, 1.0).masked_fill(mask_lo, alpha);
  const torch::Tensor grad_range = (err * g).sum_to_size(range.sizes());
  const torch::Tensor outside = mask_hi.logical_or(mask_lo);
  const torch::Tensor grad_x = g.masked_fill(outside, 0.0);
  torch::Tensor grad_lo;
  if (asymmetric) grad_lo = g.masked_fill(outside.logical_not(), 0.0).sum_to_size(lo.sizes());
  return {grad_x, grad_lo, grad_range};
}

}  // namespace

QuantizerLevels symmetric_levels(int64_t bits, bool is_signed, bool narrow_range, bool half_range) {
  TORCH_CHECK(bits >= 2 && bits <= 16, "quantizer: unsupported number of bits ", bits);
  if (half_range) {
    bits -= 1;
    narrow_range = false;
  }
  const int64_t n = int64_t{1} << bits;
  QuantizerLevels l = is_signed ? QuantizerLevels{-n / 2, n / 2 - 1} : QuantizerLevels{0, n - 1};
  if (narrow_range) l.low += 1;
  return l;
}

QuantizerLevels asymmetric_levels(int64_t bits, bool narrow_range, bool half_range) {
  TORCH_CHECK(bits >= 2 && bits <= 16, "quantizer: unsupported number of bits ", bits);
  if (half_range) {
    bits -= 1;
    narrow_range = false;
  }
  QuantizerLevels l{0, (int64_t{1} << bits) - 1};
  if (narrow_range) l.high -= 1;
  return l;
}

torch::Tensor quantize_levels(const torch::Tensor& x, const torch::Tensor& lo, const torch::Tensor& range,
                              int64_t levels) {
  const torch::Tensor s = static_cast<double>(levels - 1) / range;
  const torch::Tensor clamped = torch::max(torch::min(x, lo + range), lo);
  const torch::Tensor zp = (-lo * s).round();
  return ((clamped - lo) * s - zp).round();
}

torch::Tensor quantization_step(const torch::Tensor& range, int64_t levels) {
  return range / static_cast<double>(levels - 1);
}

std::pair<torch::Tensor, torch::Tensor> symmetric_range(const torch::Tensor& scale_safe, const QuantizerLevels& levels) {
  torch::Tensor lo = scale_safe * levels.alpha();
  torch::Tensor range = scale_safe - lo;
  return {lo, range};
}

torch::Tensor QuantizeSymmetricFunction::forward(AutogradContext* ctx, const torch::Tensor& x,
                                                 const torch::Tensor& scale_safe, int64_t level_low,
                                                 int64_t level_high) {
  const QuantizerLevels levels{level_low, level_high};
  auto [lo, range] = symmetric_range(scale_safe, levels);
  torch::Tensor y = fake_quantize_forward(x, lo, range, levels.levels());
  ctx->save_for_backward({x, lo, range, y});
  ctx->saved_data["alpha"] = levels.alpha();
  return y;
}

variable_list QuantizeSymmetricFunction::backward(AutogradContext* ctx, variable_list grad_outputs) {
  const auto saved = ctx->get_saved_variables();
  auto grads = fake_quantize_backward(grad_outputs[0], saved[0], saved[1], saved[2], saved[3],
                                      ctx->saved_data["alpha"].toDouble(), false);
  // R and scale_safe have the same shape; NNCF hands dR to the scale without the chain rule through lo.
  return {grads[0], grads[2], torch::Tensor(), torch::Tensor()};
}

torch::Tensor QuantizeAsymmetricFunction::forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& lo,
                                                  const torch::Tensor& range, int64_t level_low, int64_t level_high) {
  const QuantizerLevels levels{level_low, level_high};
  torch::Tensor y = fake_quantize_forward(x, lo, range, levels.levels());
  ctx->save_for_backward({x, lo, range, y});
  ctx->saved_data["alpha"] = levels.alpha();
  return y;
}

variable_list QuantizeAsymmetricFunction::backward(AutogradContext* ctx, variable_list grad_outputs) {
  const auto saved = ctx->get_saved_variables();
  auto grads = fake_quantize_backward(grad_outputs[0], saved[0], saved[1], saved[2], saved[3],
                                      ctx->saved_data["alpha"].toDouble(), true);
  return {grads[0], grads[1], grads[2], torch::Tensor(), torch::Tensor()};
}

variable_list TuneRangeFunction::forward(AutogradContext* ctx, const torch::Tensor& lo, const torch::Tensor& range,
                                         int64_t levels) {
  const double n = static_cast<double>(levels - 1);
  const torch::Tensor low = lo.clamp_max(0.0);               // the range must reach down to 0 ...
  const torch::Tensor high = (lo + range).clamp_min(0.0);    // ... and up to 0
  const torch::Tensor zp = (-low * (n / (high - low))).round();
  // Two ways to put 0 on level zp: move the low end (keeping high) or the high end (keeping low). The guards
  // avoid dividing by zero when zp sits at either end.
  const torch::Tensor cand_low = torch::where(zp.lt(n), zp / (zp - n) * high, low);
  const torch::Tensor cand_high = torch::where(zp.gt(0.0), (zp - n) / zp * low, high);
  // Keep the candidate with the wider range, as NNCF does.
  const torch::Tensor use_low = (high - cand_low).gt(cand_high - low).to(lo.scalar_type());
  const torch::Tensor keep = 1.0 - use_low;
  torch::Tensor new_low = use_low * cand_low + keep * low;
  torch::Tensor new_range = keep * cand_high + use_low * high - new_low;
  return {new_low, new_range};
}

variable_list TuneRangeFunction::backward(AutogradContext* ctx, variable_list grad_outputs) {
  return {grad_outputs[0], grad_outputs[1], torch::Tensor()};
}

torch::Tensor symmetric_quantize(const torch::Tensor& x, const torch::Tensor& scale, const QuantizerLevels& levels) {
  const torch::Tensor scale_safe = scale.abs() + kRangeEpsilon;
  return QuantizeSymmetricFunction::apply(x, scale_safe, levels.low, levels.high);
}

torch::Tensor asymmetric_quantize(const torch::Tensor& x, const torch::Tensor& input_low,
                                  const torch::Tensor& input_range, const QuantizerLevels& levels) {
  const torch::Tensor range_safe = input_range.abs() + kRangeEpsilon;
  auto tuned = TuneRangeFunction::apply(input_low, range_safe, levels.levels());
  return QuantizeAsymmetricFunction::apply(x, tuned[0], tuned[1], levels.low, levels.high);
}

std::pair<torch::Tensor, torch::Tensor> asymmetric_effective_range(const torch::Tensor& input_low,
                                                                   const torch::Tensor& input_range, int64_t levels) {
  torch::NoGradGuard no_grad;
  auto tuned = TuneRangeFunction::apply(input_low.detach(), input_range.detach().abs() + kRangeEpsilon, levels);
  return {tuned[0], tuned[1]};
}

}  // namespace jpqd::compression
