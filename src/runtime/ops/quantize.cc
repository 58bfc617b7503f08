#include "runtime/ops/quantize.h"

#include <cmath>

#include "runtime/ops/simd.h"

namespace jpqd::runtime::ops {

namespace {

// Division, not multiplication by a reciprocal: x * (1/s) can differ from x / s in the last bit and
// move a value across a rounding boundary; the contract is x / s. nearbyint rounds half to even
// under the default rounding mode.
template <typename Out>
JPQD_VECTOR_CLONES void quantize_impl(const float* x, int64_t n, float scale, float zp, float lo, float hi,
                                      Out* out) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    float q = __builtin_nearbyintf(x[i] / scale) + zp;
    q = q < lo ? lo : (q > hi ? hi : q);
    out[i] = static_cast<Out>(static_cast<int32_t>(q));
  }
}

JPQD_VECTOR_CLONES
void fake_quantize_impl(float* x, int64_t n, float scale, float zp, float lo, float hi) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    float v = __builtin_nearbyintf(x[i] / scale) + zp;
    v = v < lo ? lo : (v > hi ? hi : v);
    x[i] = (v - zp) * scale;
  }
}

}  // namespace

void quantize(const float* x, int64_t n, const ActivationQuantizer& q, void* out) {
  const float zp = static_cast<float>(q.zero_point);
  const float lo = static_cast<float>(q.qmin());
  const float hi = static_cast<float>(q.qmax());
  if (q.is_signed) quantize_impl(x, n, q.scale, zp, lo, hi, static_cast<int8_t*>(out));
  else quantize_impl(x, n, q.scale, zp, lo, hi, static_cast<uint8_t*>(out));
}

void quantize_to_levels(const float* x, int64_t n, const ActivationQuantizer& q, float* out) {
  const float zp = static_cast<float>(q.zero_point);
  const float lo = static_cast<float>(q.qmin());
  const float hi = static_cast<float>(q.qmax());
  for (int64_t i = 0; i < n; ++i) {
    const float v = std::nearbyint(x[i] / q.scale) + zp;
    out[i] = v < lo ? lo : (v > hi ? hi : v);
  }
}

void fake_quantize(float* x, int64_t n, const ActivationQuantizer& q) {
  fake_quantize_impl(x, n, q.scale, static_cast<float>(q.zero_point), static_cast<float>(q.qmin()),
                     static_cast<float>(q.qmax()));
}

}  // namespace jpqd::runtime::ops
