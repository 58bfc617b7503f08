// What an INT8 engine needs from a trained quantizer (docs/algorithms.md 3.4), computed with the forward's own
// arithmetic so that the export is bit-exact:  (q - zero_point) * scale == fake_quantize(x)  element by element.
//
//   scale       step of one level, R / (L - 1), float32: [channels] per channel (axis 0) or [1] per tensor
//   zero_point  the stored integer that represents 0.0, int32, same shape: 0 for symmetric quantizers,
//               round(-lo / step) for asymmetric ones
//   storage     int8 for signed symmetric quantizers, uint8 otherwise (unsigned symmetric, asymmetric)
//   levels      the levels training used; every stored value lies in [levels.low, levels.high] (+ zero
//               point). Half-range weights (overflow fix, [-64, 63]) are stored as ordinary 8-bit weights
//               with the same step, i.e. ONNX's 256-level int8 with the range scaled by 127/63, whose values
//               stay in the 7-bit range.
//   quantized   weights only: the stored integers q = k + zero_point of the weight, int8 or uint8
#pragma once

#include <torch/torch.h>

#include "compression/quantization/fake_quantizer.h"
#include "compression/quantization/quantization_controller.h"

namespace jpqd::compression {

struct QuantizerExportParams {
  torch::Tensor scale;
  torch::Tensor zero_point;
  bool is_signed = true;  // storage int8 (true) or uint8 (false)
  bool per_channel = false;
  QuantizerLevels levels;
  bool half_range = false;
  torch::Tensor quantized;  // weights: int8 / uint8, the weight's shape
};

// Scale and zero point of any quantizer (activations, or weights without their integers).
QuantizerExportParams export_quantizer(const FakeQuantizer& quantizer);

// The same plus the integers of `weight`, which must be the float tensor the quantizer sees in the forward
// (for a Linear: after the movement mask).
QuantizerExportParams export_weight(const FakeQuantizer& quantizer, const torch::Tensor& weight);

// For an attached quantizer: weights read their input through the model's hooks with the quantizer
// passed through, so the masks are applied exactly as in the forward.
QuantizerExportParams export_entry(const QuantizerEntry& entry);

// (q - zero_point) * scale, broadcast per channel along axis 0: the engine's dequantization.
torch::Tensor dequantize(const QuantizerExportParams& params, const torch::Tensor& q);

}  // namespace jpqd::compression
