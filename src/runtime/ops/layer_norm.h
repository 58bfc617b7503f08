// LayerNorm over the last dimension, in place, optionally also writing the quantized result for the
// INT8 Linear that consumes it (saves a pass over memory).
#pragma once

#include <cstdint>

#include "runtime/ops/quantize.h"

namespace jpqd::runtime::ops {

// x[rows, width] <- (x - mean) / sqrt(var + eps) * gamma + beta (biased variance, as PyTorch).
// When `quantizer` is non-null, also writes quantize(x) to `quantized_out` ([rows, width], u8 or s8).
void layer_norm(float* x, int64_t rows, int64_t width, const float* gamma, const float* beta, float eps,
                const ActivationQuantizer* quantizer = nullptr, void* quantized_out = nullptr);

}  // namespace jpqd::runtime::ops
