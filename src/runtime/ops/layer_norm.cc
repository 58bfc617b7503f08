#include "runtime/ops/layer_norm.h"

#include <cmath>

#include "runtime/ops/simd.h"

namespace jpqd::runtime::ops {

namespace {

JPQD_VECTOR_CLONES
void layer_norm_row(float* row, int64_t width, const float* gamma, const float* beta, float eps) {
  // Two passes (mean, then centred squares) as PyTorch does: one pass E[x^2]-E[x]^2 loses
  // precision when the mean is large next to the spread.
  float sum = 0.f;
#pragma omp simd reduction(+ : sum)
  for (int64_t i = 0; i < width; ++i) sum += row[i];
  const float mean = sum / static_cast<float>(width);
  float sq = 0.f;
#pragma omp simd reduction(+ : sq)
  for (int64_t i = 0; i < width; ++i) {
    const float d = row[i] - mean;
    sq += d * d;
  }
  const float rstd = 1.0f / std::sqrt(sq / static_cast<float>(width) + eps);
#pragma omp simd
  for (int64_t i = 0; i < width; ++i) row[i] = (row[i] - mean) * rstd * gamma[i] + beta[i];
}

}  // namespace

void layer_norm(float* x, int64_t rows, int64_t width, const float* gamma, const float* beta, float eps,
                const ActivationQuantizer* quantizer, void* quantized_out) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * width;
    layer_norm_row(row, width, gamma, beta, eps);
    if (quantizer != nullptr) quantize(row, width, *quantizer, static_cast<char*>(quantized_out) + r * width);
  }
}

}  // namespace jpqd::runtime::ops
