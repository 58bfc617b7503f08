// Activation quantization, the contract shared with training (format/model_metadata.h):
//   q = clamp(round_half_even(x / scale) + zero_point, qmin, qmax)
// written as u8 for unsigned quantizers and s8 for signed ones.
#pragma once

#include <cstdint>

#include "format/model_metadata.h"

namespace jpqd::runtime::ops {

using format::ActivationQuantizer;

// Quantizes n values; `out` is uint8_t* when !q.is_signed, int8_t* otherwise.
void quantize(const float* x, int64_t n, const ActivationQuantizer& q, void* out);
// The levels q (zero point included) as floats: the INT8 path on CPUs without exact INT8 GEMMs.
void quantize_to_levels(const float* x, int64_t n, const ActivationQuantizer& q, float* out);
// x -> dequantize(quantize(x)), in place (attention's Q and K are fake-quantized this way).
void fake_quantize(float* x, int64_t n, const ActivationQuantizer& q);

}  // namespace jpqd::runtime::ops
