// INT8 and FP32 Linear (oneDNN fast path) against the quantization contract evaluated in double.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <random>

#include "runtime/ops/linear.h"

namespace jpqd::runtime::ops {
namespace {

// The s32 integer sum is exact; what remains is f32 rounding of the scale product, of the bias with the
// folded zero point, of the conversion of the s32 sum to f32 and of the post-ops: a few f32 epsilons
// relative to the magnitude of the terms involved, sum_k |x_k w_k| + |b|.
constexpr double kMaxInt8LinearRelError = 8 * FLT_EPSILON;
// FP32 GEMM: K-term sums in f32 with blocked (not sequential) accumulation; error grows at most like
// K * eps in the worst case, in practice far less. K here is at most 96.
constexpr double kMaxFp32LinearRelError = 32 * FLT_EPSILON;
// oneDNN's gelu_erf / tanh kernels are polynomial approximations accurate to a few ulps.
constexpr double kMaxActivationAbsError = 1e-6;

struct Case {
  int64_t m, k, n;
  ActivationQuantizer q;
};

double reference_quantize(double x, const ActivationQuantizer& q) {
  double v = std::nearbyint(static_cast<double>(static_cast<float>(x) / q.scale)) + q.zero_point;
  return std::min<double>(std::max<double>(v, q.qmin()), q.qmax());
}

void check_int8(const Case& c, Activation act, bool accumulate) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> ux(-3.f, 3.f);
  std::uniform_int_distribution<int> uw(-127, 127);
  std::vector<float> x(c.m * c.k), bias(c.n), wscale(c.n), dst(c.m * c.n), residual(c.m * c.n);
  std::vector<int8_t> w(c.n * c.k);
  for (auto& v : x) v = ux(rng);
  for (auto& v : w) v = static_cast<int8_t>(uw(rng));
  for (auto& v : bias) v = ux(rng);
  for (auto& v : wscale) v = 0.001f + 0.01f * std::abs(ux(rng));
  for (auto& v : residual) v = ux(rng);
  dst = residual;
  MatmulCache cache;
  LinearOptions opt;
  opt.input_quantizer = c.q;
  opt.activation = act;
  opt.accumulate = accumulate;
  Linear lin({c.k, c.n, nullptr, w.data(), wscale.data(), bias.data()}, opt, &cache);
  lin.run(c.m, x.data(), dst.data());
  double worst = 0;
  for (int64_t i = 0; i < c.m; ++i) {
    for (int64_t j = 0; j < c.n; ++j) {
      double acc = 0, mag = 0;
      for (int64_t k = 0; k < c.k; ++k) {
        const double qx = reference_quantize(x[i * c.k + k], c.q) - c.q.zero_point;
        const double term = qx * c.q.scale * w[j * c.k + k] * wscale[j];
        acc += term;
        mag += std::abs((reference_quantize(x[i * c.k + k], c.q)) * c.q.scale * w[j * c.k + k] * wscale[j]);
      }
      double y = acc + bias[j];
      mag += std::abs(bias[j]);
      if (accumulate) {
        y += residual[i * c.n + j];
        mag += std::abs(residual[i * c.n + j]);
      }
      const double pre = y;
      y = activate(act, static_cast<float>(y));
      const double err = std::abs(dst[i * c.n + j] - y);
      const double budget = kMaxInt8LinearRelError * mag + (act == Activation::kNone ? 0 : kMaxActivationAbsError);
      worst = std::max(worst, err / budget);
      ASSERT_LE(err, budget) << "row " << i << " col " << j << " pre-activation " << pre;
    }
  }
  ::testing::Test::RecordProperty("worst_error_over_budget", std::to_string(worst));
}

TEST(Int8Linear, AsymmetricU8Input) { check_int8({5, 64, 24, {0.037f, 131, false}}, Activation::kNone, false); }
TEST(Int8Linear, UnsignedSymmetricInput) { check_int8({3, 96, 16, {0.02f, 0, false}}, Activation::kNone, false); }
TEST(Int8Linear, SignedSymmetricInput) { check_int8({7, 32, 40, {0.025f, 0, true}}, Activation::kNone, false); }
TEST(Int8Linear, FusedGeluAndResidual) {
  check_int8({4, 64, 32, {0.03f, 100, false}}, Activation::kGeluErf, false);
  check_int8({4, 64, 32, {0.03f, 100, false}}, Activation::kGeluTanh, false);
  check_int8({4, 64, 32, {0.03f, 100, false}}, Activation::kNone, true);
}
TEST(Int8Linear, WideGeluOutputRunsInColumnBlocks) {
  check_int8({3, 32, 1700, {0.03f, 100, false}}, Activation::kGeluErf, false);
}
TEST(Int8Linear, GeluEpilogueSplitsRowsAcrossThreads) {
  // Each thread runs its own rows (GEMM and epilogue) in blocks of 128 rows: an odd thread count and a
  // row count that is not a multiple of 128 leave uneven and partial blocks.
  const int saved = caller_thread_count();
  for (int threads : {2, 3}) {
    set_caller_thread_count(threads);
    check_int8({300, 32, 1700, {0.03f, 100, false}}, Activation::kGeluErf, false);
    check_int8({45, 32, 40, {0.03f, 100, false}}, Activation::kGeluTanh, false);
  }
  set_caller_thread_count(saved);
  EXPECT_EQ(caller_thread_count(), saved) << "a parallel region changed the caller's thread count";
}
TEST(Int8Linear, ManyRowCountsReuseOnePackedWeight) {
  for (int64_t m : {1, 2, 17, 128, 300}) check_int8({m, 48, 20, {0.05f, 7, false}}, Activation::kNone, false);
}

// Returns the number of output levels that differ between the fused quantized output and
// quantize(f32 output); asserts no difference exceeds one level.
int quantized_output_mismatches(Activation act, int64_t n = 48, int64_t m = 16) {
  const int64_t k = 64;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> ux(-2.f, 2.f);
  std::uniform_int_distribution<int> uw(-127, 127);
  std::vector<float> x(m * k), bias(n), wscale(n, 0.004f), yf(m * n);
  std::vector<int8_t> w(n * k);
  for (auto& v : x) v = ux(rng);
  for (auto& v : w) v = static_cast<int8_t>(uw(rng));
  for (auto& v : bias) v = ux(rng);
  MatmulCache cache;
  const ActivationQuantizer in_q{0.02f, 128, false}, out_q{0.013f, 20, false};
  LinearOptions f32_opt{in_q, act, false, std::nullopt};
  LinearOptions q_opt{in_q, act, false, out_q};
  Linear lf({k, n, nullptr, w.data(), wscale.data(), bias.data()}, f32_opt, &cache);
  Linear lq({k, n, nullptr, w.data(), wscale.data(), bias.data()}, q_opt, &cache);
  std::vector<uint8_t> yq(m * n), expect(m * n);
  lf.run(m, x.data(), yf.data());
  lq.run(m, x.data(), yq.data());
  quantize(yf.data(), m * n, out_q, expect.data());
  int mismatches = 0;
  for (int64_t i = 0; i < m * n; ++i) {
    const int d = std::abs(int(yq[i]) - int(expect[i]));
    EXPECT_LE(d, 1) << i;
    mismatches += d != 0;
  }
  return mismatches;
}

TEST(Int8Linear, QuantizedOutputIsQuantizeOfTheF32Output) {
  // GELU outputs are quantized by our own pass, with the contract's division: identical.
  EXPECT_EQ(quantized_output_mismatches(Activation::kGeluErf), 0);
  EXPECT_EQ(quantized_output_mismatches(Activation::kGeluTanh), 0);
  // Wide outputs run as column blocks (768 each, the last one partial).
  EXPECT_EQ(quantized_output_mismatches(Activation::kGeluErf, 1700), 0);
  // Rows split across threads and into blocks of 128.
  const int saved = caller_thread_count();
  set_caller_thread_count(3);
  EXPECT_EQ(quantized_output_mismatches(Activation::kGeluErf, 1700, 300), 0);
  set_caller_thread_count(saved);
  // Other outputs are requantized inside oneDNN, which multiplies by 1/s: a value within an ulp of a
  // rounding boundary may land one level off, nothing else may differ.
  EXPECT_LE(quantized_output_mismatches(Activation::kRelu), 2);
  EXPECT_LE(quantized_output_mismatches(Activation::kNone), 2);
}

void check_fp32(int64_t m, int64_t k, int64_t n, Activation act) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> x(m * k), w(n * k), b(n), y(m * n);
  for (auto& v : x) v = u(rng);
  for (auto& v : w) v = u(rng);
  for (auto& v : b) v = u(rng);
  MatmulCache cache;
  LinearOptions opt;
  opt.activation = act;
  Linear lin({k, n, w.data(), nullptr, nullptr, b.data()}, opt, &cache);
  lin.run(m, x.data(), y.data());
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = b[j], mag = std::abs(b[j]);
      for (int64_t t = 0; t < k; ++t) {
        acc += double(x[i * k + t]) * w[j * k + t];
        mag += std::abs(double(x[i * k + t]) * w[j * k + t]);
      }
      // GELU's slope is at most 1.13, so the GEMM's error passes through it at most 1.13x larger.
      const double budget = act == Activation::kNone ? kMaxFp32LinearRelError * mag
                                                     : 1.13 * kMaxFp32LinearRelError * mag + kMaxActivationAbsError;
      ASSERT_LE(std::abs(y[i * n + j] - activate(act, static_cast<float>(acc))), budget) << i << "," << j;
    }
}

TEST(Fp32Linear, MatchesDoubleReference) { check_fp32(9, 96, 33, Activation::kNone); }

TEST(Fp32Linear, GeluInColumnAndRowBlocksAcrossThreads) {
  const int saved = caller_thread_count();
  set_caller_thread_count(2);
  check_fp32(300, 32, 1700, Activation::kGeluErf);
  set_caller_thread_count(saved);
}

TEST(Linear, NoInputsGivesTheBias) {
  std::vector<float> b = {1.f, -2.f, 3.f};
  MatmulCache cache;
  LinearOptions opt;
  opt.accumulate = true;
  Linear lin({0, 3, nullptr, nullptr, nullptr, b.data()}, opt, &cache);
  std::vector<float> dst = {10.f, 10.f, 10.f, 20.f, 20.f, 20.f};
  lin.run(2, nullptr, dst.data());
  EXPECT_EQ(dst, (std::vector<float>{11.f, 8.f, 13.f, 21.f, 18.f, 23.f}));
}

}  // namespace
}  // namespace jpqd::runtime::ops
