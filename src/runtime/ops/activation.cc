#include "runtime/ops/activation.h"

#include <cmath>

#include "runtime/ops/simd.h"

namespace jpqd::runtime::ops {

float activate(Activation a, float x) {
  switch (a) {
    case Activation::kNone: return x;
    case Activation::kGeluErf: return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case Activation::kGeluTanh: {
      const float inner = 0.79788456080286536f * (x + 0.044715f * x * x * x);
      return 0.5f * x * (1.0f + std::tanh(inner));
    }
    case Activation::kRelu: return x > 0.f ? x : 0.f;
    case Activation::kTanh: return std::tanh(x);
  }
  return x;
}

namespace {

// erf(z) ~ z P(z^2) / Q(z^2) on |z| <= 4 (beyond, erf is +-1 within 1.6e-8): a rational fit made for
// jpqd (tests/fixtures/runtime/fit_gelu_erf.py; max |error| 5.5e-8 on [0, 4]); no exp, one division.
inline float gelu_erf_value(float v) {
  float z = v * 0.70710678118654752f;
  z = z < -4.f ? -4.f : (z > 4.f ? 4.f : z);
  const float z2 = z * z;
  float p = 1.921828848400538e-08f;
  p = p * z2 - 1.990299699898518e-06f;
  p = p * z2 + 1.555209939494859e-04f;
  p = p * z2 + 4.292332266892133e-03f;
  p = p * z2 + 5.243115329464278e-02f;
  p = p * z2 + 2.139273901639375e-01f;
  p = p * z2 + 1.128378677448541e+00f;
  float q = 1.097868321529678e-03f;
  q = q * z2 + 1.554961075710859e-02f;
  q = q * z2 + 1.207924478388588e-01f;
  q = q * z2 + 5.229158723241520e-01f;
  q = q * z2 + 1.0f;
  return 0.5f * v * (1.0f + z * p / q);
}

inline float gelu_tanh_value(float v) {
  const float inner = 0.79788456080286536f * (v + 0.044715f * v * v * v);
  // tanh(y) = 1 - 2 / (e^{2y} + 1), saturating correctly at both ends.
  const float t = 1.0f - 2.0f / (vector_exp(2.0f * inner) + 1.0f);
  return 0.5f * v * (1.0f + t);
}

JPQD_VECTOR_CLONES
void gelu_erf_inplace(float* x, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) x[i] = gelu_erf_value(x[i]);
}

JPQD_VECTOR_CLONES
void gelu_tanh_inplace(float* x, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) x[i] = gelu_tanh_value(x[i]);
}

// One pass: read f32, activate, quantize (division by the scale, as the contract), write u8.
JPQD_VECTOR_CLONES
void gelu_erf_quantize(const float* y, int64_t n, float scale, float zp, float lo, float hi, uint8_t* out) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    float q = __builtin_nearbyintf(gelu_erf_value(y[i]) / scale) + zp;
    q = q < lo ? lo : (q > hi ? hi : q);
    out[i] = static_cast<uint8_t>(static_cast<int32_t>(q));
  }
}

JPQD_VECTOR_CLONES
void gelu_tanh_quantize(const float* y, int64_t n, float scale, float zp, float lo, float hi, uint8_t* out) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    float q = __builtin_nearbyintf(gelu_tanh_value(y[i]) / scale) + zp;
    q = q < lo ? lo : (q > hi ? hi : q);
    out[i] = static_cast<uint8_t>(static_cast<int32_t>(q));
  }
}

}  // namespace

void activate(Activation a, float* x, int64_t n) {
  switch (a) {
    case Activation::kNone: return;
    case Activation::kGeluErf: gelu_erf_inplace(x, n); return;
    case Activation::kGeluTanh: gelu_tanh_inplace(x, n); return;
    default:
      for (int64_t i = 0; i < n; ++i) x[i] = activate(a, x[i]);
  }
}

void activate_and_quantize(Activation a, float* y, int64_t n, const ActivationQuantizer& q, void* out) {
  const float zp = static_cast<float>(q.zero_point), lo = static_cast<float>(q.qmin()),
              hi = static_cast<float>(q.qmax());
  if (!q.is_signed && a == Activation::kGeluErf) {
    gelu_erf_quantize(y, n, q.scale, zp, lo, hi, static_cast<uint8_t*>(out));
  } else if (!q.is_signed && a == Activation::kGeluTanh) {
    gelu_tanh_quantize(y, n, q.scale, zp, lo, hi, static_cast<uint8_t*>(out));
  } else {
    activate(a, y, n);
    quantize(y, n, q, out);
  }
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::kNone: return "none";
    case Activation::kGeluErf: return "gelu";
    case Activation::kGeluTanh: return "gelu_new";
    case Activation::kRelu: return "relu";
    case Activation::kTanh: return "tanh";
  }
  return "?";
}

}  // namespace jpqd::runtime::ops
