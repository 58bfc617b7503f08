// Element-wise ops and attention against hand-derived values or plain double-precision references
// written here, independently of the kernels.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>

#include "runtime/ops/activation.h"
#include "runtime/ops/attention.h"
#include "runtime/ops/embedding.h"
#include "runtime/ops/layer_norm.h"
#include "runtime/ops/quantize.h"
#include "runtime/ops/simd.h"
#include "runtime/ops/softmax.h"

namespace jpqd::runtime::ops {
namespace {

// LayerNorm in f32 with two passes over <= 64 values: error a few f32 ulps of O(1) outputs.
constexpr double kMaxLayerNormAbsError = 2e-6;
// Softmax: exp and one division per element in f32.
constexpr double kMaxSoftmaxAbsError = 1e-6;
// Attention: two f32 GEMMs of <= 16-term sums around a softmax, on O(1) values.
constexpr double kMaxAttentionAbsError = 5e-6;
// std::erf / std::tanh in f32 against double: a few ulps.
constexpr double kMaxActivationAbsError = 1e-6;

TEST(Quantize, HandDerivedLevelsRoundHalfToEvenAndClamp) {
  // scale 0.5, zero point 10: x / 0.5 = 2x.
  const ActivationQuantizer q{0.5f, 10, false};
  const std::vector<float> x = {0.0f, 0.25f, 0.75f, -0.25f, 1.25f, 200.f, -200.f, -5.0f};
  // 2x = 0, 0.5 -> 0 (even), 1.5 -> 2, -0.5 -> -0 , 2.5 -> 2, clamp 255, clamp 0, -10 -> 0
  const std::vector<uint8_t> want = {10, 10, 12, 10, 12, 255, 0, 0};
  std::vector<uint8_t> got(x.size());
  quantize(x.data(), static_cast<int64_t>(x.size()), q, got.data());
  EXPECT_EQ(got, want);
}

TEST(Quantize, SignedSymmetricUsesFullS8Range) {
  const ActivationQuantizer q{0.1f, 0, true};
  const std::vector<float> x = {12.7f, 12.8f, 100.f, -12.8f, -100.f, 0.05f, -0.15f};
  const std::vector<int8_t> want = {127, 127, 127, -128, -128, 0, -2};
  std::vector<int8_t> got(x.size());
  quantize(x.data(), static_cast<int64_t>(x.size()), q, got.data());
  EXPECT_EQ(got, want);
  std::vector<float> fq = x;
  fake_quantize(fq.data(), static_cast<int64_t>(fq.size()), q);
  EXPECT_FLOAT_EQ(fq[0], 127 * 0.1f);
  EXPECT_FLOAT_EQ(fq[3], -128 * 0.1f);
  EXPECT_FLOAT_EQ(fq[6], -2 * 0.1f);
}

TEST(Quantize, UnsignedSymmetricClampsNegativesToZero) {
  const ActivationQuantizer q{0.02f, 0, false};
  const std::vector<float> x = {-1.f, 0.03f, 5.2f, 6.f};
  const std::vector<uint8_t> want = {0, 2, 255, 255};  // 0.03 / 0.02 = 1.5 -> 2; 5.2 / 0.02 = 260 -> 255
  std::vector<uint8_t> got(x.size());
  quantize(x.data(), 4, q, got.data());
  EXPECT_EQ(got, want);
  std::vector<float> levels(4);
  quantize_to_levels(x.data(), 4, q, levels.data());
  EXPECT_EQ(levels, (std::vector<float>{0.f, 2.f, 255.f, 255.f}));
}

TEST(LayerNorm, MatchesDoubleReferenceAndQuantizesItsOutput) {
  const int64_t rows = 5, width = 64;
  std::mt19937 rng(1);
  std::normal_distribution<float> n(3.f, 2.f);
  std::vector<float> x(rows * width), g(width), b(width);
  for (auto& v : x) v = n(rng);
  for (auto& v : g) v = 1.f + 0.1f * n(rng);
  for (auto& v : b) v = 0.1f * n(rng);
  std::vector<float> y = x;
  const ActivationQuantizer q{0.05f, 128, false};
  std::vector<uint8_t> yq(rows * width), want_q(rows * width);
  layer_norm(y.data(), rows, width, g.data(), b.data(), 1e-12f, &q, yq.data());
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < width; ++i) mean += x[r * width + i];
    mean /= width;
    for (int64_t i = 0; i < width; ++i) var += (x[r * width + i] - mean) * (x[r * width + i] - mean);
    var /= width;
    for (int64_t i = 0; i < width; ++i) {
      const double want = (x[r * width + i] - mean) / std::sqrt(var + 1e-12) * g[i] + b[i];
      EXPECT_NEAR(y[r * width + i], want, kMaxLayerNormAbsError);
    }
  }
  quantize(y.data(), rows * width, q, want_q.data());
  EXPECT_EQ(yq, want_q);  // the fused copy is exactly quantize(output)
}

TEST(Softmax, MaskedKeysGetZeroAndFullyMaskedRowsBecomeUniform) {
  const float lowest = std::numeric_limits<float>::lowest();
  std::vector<float> s = {1.f, 2.f, 3.f, 4.f, 0.5f, -1.f, 0.f, 9.f};
  std::vector<float> mask = {0.f, 0.f, lowest, 0.f};
  masked_softmax(s.data(), 2, 4, mask.data());
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(4.0);
  EXPECT_NEAR(s[0], std::exp(1.0) / z, kMaxSoftmaxAbsError);
  EXPECT_NEAR(s[1], std::exp(2.0) / z, kMaxSoftmaxAbsError);
  EXPECT_EQ(s[2], 0.f);
  EXPECT_NEAR(s[3], std::exp(4.0) / z, kMaxSoftmaxAbsError);
  // As in PyTorch with finfo.min: every score + lowest rounds to lowest, so the row is uniform.
  std::vector<float> all = {1.f, 5.f, -3.f};
  std::vector<float> all_masked = {lowest, lowest, lowest};
  masked_softmax(all.data(), 1, 3, all_masked.data());
  for (float p : all) EXPECT_NEAR(p, 1.0 / 3, kMaxSoftmaxAbsError);
}

TEST(Activation, MatchesDoubleFormulas) {
  for (double x : {-4.0, -1.3, -0.2, 0.0, 0.7, 2.5, 6.0}) {
    EXPECT_NEAR(activate(Activation::kGeluErf, float(x)), 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))),
                kMaxActivationAbsError);
    EXPECT_NEAR(activate(Activation::kGeluTanh, float(x)),
                0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x))), kMaxActivationAbsError);
    EXPECT_EQ(activate(Activation::kRelu, float(x)), x > 0 ? float(x) : 0.f);
    EXPECT_NEAR(activate(Activation::kTanh, float(x)), std::tanh(x), kMaxActivationAbsError);
  }
}

TEST(Embedding, SumsWordTypeAndPositionRowsIncludingS8Rows) {
  std::vector<int8_t> word = {1, 2, -3, 4, 5, -6};  // 3 rows x 2, scales per row
  std::vector<float> wscale = {0.5f, 0.25f, 2.f};
  std::vector<float> pos = {10.f, 20.f, 30.f, 40.f};  // 2 rows
  std::vector<float> type = {100.f, 200.f, 300.f, 400.f};
  EmbeddingTable w{3, 2, nullptr, word.data(), wscale.data()};
  EmbeddingTable p{2, 2, pos.data(), nullptr, nullptr};
  EmbeddingTable t{2, 2, type.data(), nullptr, nullptr};
  std::vector<int64_t> ids = {2, 0, 1, 1}, types = {0, 1, 1, 0};
  std::vector<float> out(8);
  embed(w, p, t, ids.data(), types.data(), nullptr, 2, 2, out.data());
  // b0 t0: word 2 (10, -12) + type 0 (100, 200) + pos 0 (10, 20)
  // b1 t0: word 1 (-0.75, 1) + type 1 (300, 400) + pos 0 (10, 20); b1 t1: word 1 + type 0 + pos 1
  EXPECT_EQ(out, (std::vector<float>{120.f, 208.f, 330.5f, 441.f, 309.25f, 421.f, 129.25f, 241.f}));
}

TEST(Embedding, FamiliesWithoutTokenTypesAndWithCountedPositionsSumWordAndPositionRowsOnly) {
  std::vector<float> word = {1.f, 2.f, 3.f, 4.f, 5.f, 6.f};  // 3 rows x 2
  std::vector<float> pos = {10.f, 20.f, 30.f, 40.f, 50.f, 60.f, 70.f, 80.f};  // 4 rows
  EmbeddingTable w{3, 2, word.data(), nullptr, nullptr};
  EmbeddingTable p{4, 2, pos.data(), nullptr, nullptr};
  std::vector<int64_t> ids = {2, 0, 1, 1}, types = {0, 0, 0, 0}, positions = {3, 1, 0, 2};
  std::vector<float> out(8);
  embed(w, p, EmbeddingTable{}, ids.data(), types.data(), positions.data(), 2, 2, out.data());
  EXPECT_EQ(out, (std::vector<float>{75.f, 86.f, 31.f, 42.f, 13.f, 24.f, 53.f, 64.f}));
}

TEST(Embedding, CountedPositionsPutPadsAtPaddingIdxAndCountRealTokensAfterIt) {
  // RoBERTa, padding_idx 1: "<s> a </s> <pad>" -> 2 3 4 1; a pad inside the sequence is not counted.
  const std::vector<int64_t> ids = {0, 7, 2, 1, 0, 1, 9, 2};
  std::vector<int64_t> positions(8);
  count_non_padding_positions(ids.data(), 2, 4, 1, positions.data());
  EXPECT_EQ(positions, (std::vector<int64_t>{2, 3, 4, 1, 2, 1, 3, 4}));
}

// Attention computed the textbook way in double.
std::vector<double> reference_attention(const AttentionShape& s, const std::vector<float>& qkv, int64_t ld,
                                        const std::vector<int64_t>& mask, const format::AttentionQuantizers* aq) {
  const int64_t S = s.seq_len, d = s.head_dim, A = s.num_heads * d;
  std::vector<double> ctx(s.batch * S * A);
  auto fq = [](double x, const ActivationQuantizer& q) {
    double v = std::nearbyint(static_cast<float>(x) / q.scale) + q.zero_point;
    v = std::min<double>(std::max<double>(v, q.qmin()), q.qmax());
    return (v - q.zero_point) * q.scale;
  };
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t h = 0; h < s.num_heads; ++h)
      for (int64_t i = 0; i < S; ++i) {
        std::vector<double> p(S);
        double mx = -1e300;
        for (int64_t j = 0; j < S; ++j) {
          double dot = 0;
          for (int64_t c = 0; c < d; ++c) {
            double qv = qkv[(b * S + i) * ld + h * d + c], kv = qkv[(b * S + j) * ld + A + h * d + c];
            if (aq) qv = fq(qv, aq->query), kv = fq(kv, aq->key);
            dot += qv * kv;
          }
          p[j] = mask[b * S + j] ? dot / std::sqrt(double(d)) : -1e300;
          mx = std::max(mx, p[j]);
        }
        double z = 0;
        for (auto& v : p) z += (v = std::exp(v - mx));
        for (int64_t c = 0; c < d; ++c) {
          double acc = 0;
          for (int64_t j = 0; j < S; ++j) acc += p[j] / z * qkv[(b * S + j) * ld + 2 * A + h * d + c];
          ctx[(b * S + i) * A + h * d + c] = acc;
        }
      }
  return ctx;
}

void check_attention(const format::AttentionQuantizers* aq) {
  const AttentionShape s{2, 7, 3, 4};
  const int64_t A = s.num_heads * s.head_dim, ld = 3 * A, M = s.batch * s.seq_len;
  std::mt19937 rng(5);
  std::normal_distribution<float> n(0.f, 1.f);
  std::vector<float> qkv(M * ld);
  for (auto& v : qkv) v = n(rng);
  std::vector<int64_t> mask(M, 1);
  mask[s.seq_len + 5] = mask[s.seq_len + 6] = 0;
  std::vector<float> bias(M);
  for (int64_t i = 0; i < M; ++i) bias[i] = mask[i] ? 0.f : std::numeric_limits<float>::lowest();
  std::vector<float> ctx(M * A);
  attention(s, qkv.data(), qkv.data() + A, qkv.data() + 2 * A, ld, bias.data(), aq, ctx.data());
  const auto want = reference_attention(s, qkv, ld, mask, aq);
  for (size_t i = 0; i < ctx.size(); ++i) ASSERT_NEAR(ctx[i], want[i], kMaxAttentionAbsError) << i;
}

TEST(Attention, Fp32MatchesReference) { check_attention(nullptr); }
// Symmetric signed quantizers: the s8 x s8 score GEMM on VNNI CPUs (the f32 path under the AVX2 cap,
// IsaFallback.OpsAndTinyModelsStillMatchUnderAvx2).
TEST(Attention, FakeQuantizedQueryAndKeyMatchReference) {
  const format::AttentionQuantizers aq{{0.05f, 0, true}, {0.07f, 0, true}};
  check_attention(&aq);
}
// Steps so small that many values of N(0, 1) clamp at -128 and 127.
TEST(Attention, QueryAndKeyClampedAtBothEndsOfTheS8RangeMatchReference) {
  const format::AttentionQuantizers aq{{0.011f, 0, true}, {0.013f, 0, true}};
  check_attention(&aq);
}
// Zero points rule out the integer GEMM; the f32 path must still apply them.
TEST(Attention, QuantizersWithZeroPointsMatchReference) {
  const format::AttentionQuantizers aq{{0.03f, 131, false}, {0.04f, -3, true}};
  check_attention(&aq);
}

}  // namespace
}  // namespace jpqd::runtime::ops

namespace jpqd::runtime::ops {
namespace {

// Cephes' expf polynomial after Cody-Waite reduction: about 1 ulp; allow 4.
constexpr double kMaxExpRelError = 4 * FLT_EPSILON;

TEST(VectorExp, MatchesExpOverTheSoftmaxRange) {
  for (double x = -87.0; x <= 88.0; x += 0.01337) {
    const double want = std::exp(static_cast<double>(static_cast<float>(x)));
    ASSERT_NEAR(vector_exp(static_cast<float>(x)), want, kMaxExpRelError * want) << x;
  }
  EXPECT_EQ(vector_exp(-88.f), 0.f);
  EXPECT_EQ(vector_exp(std::numeric_limits<float>::lowest()), 0.f);
  EXPECT_EQ(vector_exp(0.f), 1.f);
}

}  // namespace
}  // namespace jpqd::runtime::ops

namespace jpqd::runtime::ops {
namespace {

// The vectorised GELUs: approximation error (erf fit <= 5.5e-8, times |x| / 2) plus f32 rounding of
// outputs up to 8 (half an ulp is 4.8e-7).
constexpr double kMaxVectorGeluAbsError = 1e-6;

TEST(Activation, VectorisedGeluMatchesDoubleFormulas) {
  std::vector<float> xs;
  for (double x = -8.0; x <= 8.0; x += 0.000731) xs.push_back(static_cast<float>(x));
  std::vector<float> erf_y = xs, tanh_y = xs;
  activate(Activation::kGeluErf, erf_y.data(), static_cast<int64_t>(xs.size()));
  activate(Activation::kGeluTanh, tanh_y.data(), static_cast<int64_t>(xs.size()));
  for (size_t i = 0; i < xs.size(); ++i) {
    const double x = xs[i];
    ASSERT_NEAR(erf_y[i], 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))), kMaxVectorGeluAbsError) << x;
    ASSERT_NEAR(tanh_y[i], 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x))),
                kMaxVectorGeluAbsError)
        << x;
  }
}

}  // namespace
}  // namespace jpqd::runtime::ops
