#include "runtime/ops/softmax.h"

#include <cmath>

#include "runtime/ops/simd.h"

namespace jpqd::runtime::ops {

namespace {

JPQD_VECTOR_CLONES
void softmax_row(float* row, int64_t cols, const float* mask_bias) {
  float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
  for (int64_t j = 0; j < cols; ++j) {
    row[j] += mask_bias[j];
    mx = row[j] > mx ? row[j] : mx;
  }
  float sum = 0.f;
#pragma omp simd reduction(+ : sum)
  for (int64_t j = 0; j < cols; ++j) {
    row[j] = vector_exp(row[j] - mx);
    sum += row[j];
  }
  const float inv = 1.0f / sum;
#pragma omp simd
  for (int64_t j = 0; j < cols; ++j) row[j] *= inv;
}

}  // namespace

void masked_softmax(float* scores, int64_t rows, int64_t cols, const float* mask_bias) {
  for (int64_t r = 0; r < rows; ++r) softmax_row(scores + r * cols, cols, mask_bias);
}

}  // namespace jpqd::runtime::ops
