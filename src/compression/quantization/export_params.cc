#include "compression/quantization/export_params.h"

#include "common/error.h"

namespace jpqd::compression {

namespace {

// [channels, 1, ...] so a per-channel tensor broadcasts against a tensor of `dims` dimensions along axis 0.
torch::Tensor along_axis0(const torch::Tensor& t, int64_t dims) {
  std::vector<int64_t> shape(std::max<int64_t>(dims, 1), 1);
  shape[0] = t.numel();
  return t.reshape(shape);
}

}  // namespace

QuantizerExportParams export_quantizer(const FakeQuantizer& quantizer) {
  torch::NoGradGuard no_grad;
  QuantizerExportParams p;
  const QuantizerSettings& s = quantizer.settings();
  p.levels = quantizer.levels();
  p.per_channel = s.per_channel;
  p.half_range = s.half_range;
  p.is_signed = p.levels.low < 0;
  auto [lo, range] = quantizer.effective_range();
  const int64_t L = p.levels.levels();
  // The forward's zero point in level units: k = round((x - lo) s - zp), stored as q = k + zp for the
  // asymmetric (unsigned) case; symmetric levels are already centred on 0.
  const torch::Tensor zp = (-lo * (static_cast<double>(L - 1) / range)).round();
  p.scale = quantization_step(range, L).flatten().to(torch::kFloat);
  p.zero_point = p.is_signed || s.mode == QuantizationMode::kSymmetric
                     ? torch::zeros({p.scale.numel()}, torch::kInt)
                     : zp.flatten().to(torch::kInt);
  return p;
}

QuantizerExportParams export_weight(const FakeQuantizer& quantizer, const torch::Tensor& weight) {
  torch::NoGradGuard no_grad;
  QuantizerExportParams p = export_quantizer(quantizer);
  auto [lo, range] = quantizer.effective_range();
  const torch::Tensor k = quantize_levels(weight.detach(), lo, range, p.levels.levels());
  const torch::Tensor stored = k + along_axis0(p.zero_point, k.dim()).to(k.scalar_type());
  const double low = p.is_signed ? -128 : 0, high = p.is_signed ? 127 : 255;
  TORCH_CHECK(stored.min().item<double>() >= low && stored.max().item<double>() <= high,
              "export: quantized weight outside the 8-bit storage range");
  p.quantized = stored.to(p.is_signed ? torch::kChar : torch::kByte);
  return p;
}

QuantizerExportParams export_entry(const QuantizerEntry& entry) {
  if (entry.placement.kind != QuantizerKind::kWeight) return export_quantizer(*entry.quantizer);
  torch::NoGradGuard no_grad;
  FakeQuantizer& q = *entry.quantizer;
  const bool was_enabled = q.enabled();
  q.set_enabled(false);
  torch::Tensor weight;
  try {
    weight = entry.weight_source();
  } catch (...) {
    q.set_enabled(was_enabled);
    throw;
  }
  q.set_enabled(was_enabled);
  return export_weight(q, weight);
}

torch::Tensor dequantize(const QuantizerExportParams& params, const torch::Tensor& q) {
  const torch::Tensor centred = q.to(torch::kInt) - along_axis0(params.zero_point, q.dim());
  const torch::Tensor scale = params.per_channel ? along_axis0(params.scale, q.dim()) : params.scale;
  return centred.to(torch::kFloat) * scale;
}

}  // namespace jpqd::compression
