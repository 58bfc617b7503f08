// Helpers for our element-wise kernels. They are written as plain loops under `#pragma omp simd`
// and compiled several times by GCC's target_clones (AVX-512, AVX2+FMA, baseline), dispatched once at
// load by CPU features, so the library itself stays buildable and runnable on any x86-64 (no ISA flags
// in headers or compile options). oneDNN's GEMMs do their own dispatch (runtime/cpu_isa.h).
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define JPQD_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define JPQD_VECTOR_CLONES
#endif

namespace jpqd::runtime::ops {

// e^x for the softmax, branch-free so it vectorises: Cody-Waite reduction x = n ln2 + r and the
// degree-6 minimax polynomial of Cephes' expf (about 1 ulp). Returns exactly 0 below -87.3 (masked
// keys), like expf underflowing.
inline float vector_exp(float x) {
  const float kMin = -87.33654f, kMax = 88.72283f;
  const bool underflow = x < kMin;
  x = x < kMin ? kMin : (x > kMax ? kMax : x);
  const float n = __builtin_nearbyintf(x * 1.44269504088896341f);
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // 2^n through the exponent bits; n in [-126, 128] after the clamp, and 2^128 only for x = kMax
  // where p < 1, so split it as 2^(n/2) * 2^(n - n/2) to stay finite.
  const int32_t ni = static_cast<int32_t>(n);
  const int32_t half = ni / 2;
  const int32_t b1 = (half + 127) << 23, b2 = (ni - half + 127) << 23;
  float s1, s2;
  std::memcpy(&s1, &b1, 4);
  std::memcpy(&s2, &b2, 4);
  const float result = p * s1 * s2;
  return underflow ? 0.0f : result;
}

}  // namespace jpqd::runtime::ops
