// Fake-quantize forward and backward against hand-derived values (docs/algorithms.md 3.2). Ranges are chosen so
// that one level is exactly 1 (or 2), which makes every expected value exact in binary floating point.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "compression/quantization/fake_quantize.h"

namespace jpqd::compression {
namespace {

constexpr double kGradTolerance = 1e-5;  // absolute, on gradients of order 1 (float32 arithmetic)
constexpr double kHalfStepSlack = 1e-6;  // relative to the step: float rounding on top of step / 2

torch::Tensor t(std::vector<float> v) { return torch::tensor(v); }

TEST(QuantizationFakeQuantize, LevelRanges) {
  auto check = [](QuantizerLevels l, int64_t lo, int64_t hi) {
    EXPECT_EQ(l.low, lo);
    EXPECT_EQ(l.high, hi);
  };
  check(symmetric_levels(8, true, true, false), -127, 127);   // weights: narrow range
  check(symmetric_levels(8, true, false, false), -128, 127);  // signed activations
  check(symmetric_levels(8, false, false, false), 0, 255);    // unsigned activations
  check(symmetric_levels(8, true, true, true), -64, 63);      // overflow fix: half range, narrow off
  check(asymmetric_levels(8, false, false), 0, 255);
  check(asymmetric_levels(8, true, false), 0, 254);
  check(asymmetric_levels(8, false, true), 0, 127);
  EXPECT_EQ(symmetric_levels(8, true, true, false).levels(), 255);
  EXPECT_EQ(symmetric_levels(8, true, true, true).levels(), 128);
}

// scale 127 on [-127, 127]: lo = -127, R = 254, one level = 1.
TEST(QuantizationFakeQuantize, SymmetricNarrowRoundsHalfToEvenAndClamps) {
  const auto levels = symmetric_levels(8, true, true, false);
  const auto y = symmetric_quantize(t({2.5f, 3.5f, -2.5f, 0.4f, 200.f, -200.f, 126.6f}), t({127.f}), levels);
  EXPECT_TRUE(torch::equal(y, t({2.f, 4.f, -2.f, 0.f, 127.f, -127.f, 127.f}))) << y;
}

// scale 127 on [-128, 127]: lo = -128, R = 255.
TEST(QuantizationFakeQuantize, SymmetricSignedFullRange) {
  const auto y = symmetric_quantize(t({-200.f, -127.6f, 200.f, 7.2f}), t({127.f}), symmetric_levels(8, true, false, false));
  EXPECT_TRUE(torch::equal(y, t({-128.f, -128.f, 127.f, 7.f}))) << y;
}

// scale 255 on [0, 255].
TEST(QuantizationFakeQuantize, SymmetricUnsigned) {
  const auto y = symmetric_quantize(t({-3.f, 0.f, 17.5f, 300.f}), t({255.f}), symmetric_levels(8, false, false, false));
  EXPECT_TRUE(torch::equal(y, t({0.f, 0.f, 18.f, 255.f}))) << y;
}

// scale 63 on [-64, 63]: lo = -64, R = 127, one level = 1.
TEST(QuantizationFakeQuantize, SymmetricHalfRange) {
  const auto y = symmetric_quantize(t({100.f, -100.f, 10.5f, -63.5f}), t({63.f}), symmetric_levels(8, true, true, true));
  EXPECT_TRUE(torch::equal(y, t({63.f, -64.f, 10.f, -64.f}))) << y;
}

// input_low -10, input_range 255: TuneRange keeps it (0 is level 10), one level = 1.
TEST(QuantizationFakeQuantize, AsymmetricLevelsAndClamping) {
  const auto y = asymmetric_quantize(t({-20.f, 300.f, 3.3f, 0.f, -9.5f}), t({-10.f}), t({255.f}), asymmetric_levels(8, false, false));
  EXPECT_TRUE(torch::equal(y, t({-10.f, 245.f, 3.f, 0.f, -10.f}))) << y;
}

TEST(QuantizationFakeQuantize, ErrorWithinHalfAStepInsideTheRange) {
  torch::manual_seed(3);
  const auto x = torch::rand({4000}) * 3.8 - 1.9;  // inside every range below
  struct Case {
    const char* name;
    torch::Tensor y;
    double step;
  };
  std::vector<Case> cases = {
      {"narrow", symmetric_quantize(x, t({2.f}), symmetric_levels(8, true, true, false)), 4.0 / 254},
      {"signed", symmetric_quantize(x, t({2.f}), symmetric_levels(8, true, false, false)), (2.0 + 2.0 * 128 / 127) / 255},
      {"half", symmetric_quantize(x, t({2.f}), symmetric_levels(8, true, true, true)), (2.0 + 2.0 * 64 / 63) / 127},
      // TuneRange: zp = round(127.5) = 128, so the low end moves to 128 / (128 - 255) * 2 = -256/127.
      {"asym", asymmetric_quantize(x, t({-2.f}), t({4.f}), asymmetric_levels(8, false, false)), (2.0 + 256.0 / 127) / 255},
  };
  for (const auto& c : cases) {
    const double err = (c.y - x).abs().max().item<double>();
    EXPECT_LE(err, c.step / 2 * (1 + kHalfStepSlack)) << c.name;
    EXPECT_GT(err, c.step / 4) << c.name << ": suspiciously exact";
  }
}

// dx = g inside; dscale = g (y-x)/R inside, g above, alpha g below (alpha = -127/127 = -1), summed.
TEST(QuantizationFakeQuantize, SymmetricGradients) {
  auto x = t({2.4f, 200.f, -200.f, 0.5f}).requires_grad_();
  auto scale = t({127.f}).requires_grad_();
  auto y = symmetric_quantize(x, scale, symmetric_levels(8, true, true, false));
  (y * t({1.f, 2.f, 3.f, 4.f})).sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), t({1.f, 0.f, 0.f, 4.f}))) << x.grad();
  // 2.4 -> 2: (2 - 2.4)/254; 0.5 -> 0 (half to even): 4 (0 - 0.5)/254; 200: +2; -200: -1 * 3.
  const double expected = -0.4 / 254 + 2 - 3 + 4 * (-0.5) / 254;
  EXPECT_NEAR(scale.grad().item<double>(), expected, kGradTolerance);
}

TEST(QuantizationFakeQuantize, SymmetricGradientFlowsThroughAbsOfANegativeScale) {
  auto scale = t({-127.f}).requires_grad_();
  symmetric_quantize(t({200.f}), scale, symmetric_levels(8, true, true, false)).sum().backward();
  EXPECT_NEAR(scale.grad().item<double>(), -1.0, kGradTolerance);  // d|s|/ds = -1 times dR = 1
}

// dinput_range as above with alpha = 0; dinput_low = g outside the range.
TEST(QuantizationFakeQuantize, AsymmetricGradients) {
  auto x = t({3.3f, 300.f, -20.f, 0.f}).requires_grad_();
  auto low = t({-10.f}).requires_grad_();
  auto range = t({255.f}).requires_grad_();
  auto y = asymmetric_quantize(x, low, range, asymmetric_levels(8, false, false));
  (y * t({1.f, 2.f, 3.f, 4.f})).sum().backward();
  EXPECT_TRUE(torch::equal(x.grad(), t({1.f, 0.f, 0.f, 4.f}))) << x.grad();
  EXPECT_NEAR(range.grad().item<double>(), (3.0 - 3.3) / 255 + 2, kGradTolerance);
  EXPECT_NEAR(low.grad().item<double>(), 2 + 3, kGradTolerance);
}

// Per-channel: scale [2, 1]; each row's gradient sums over that row only.
TEST(QuantizationFakeQuantize, PerChannelShapesAndGradients) {
  auto x = t({300.f, 1.f, 1.f, -600.f}).reshape({2, 2}).requires_grad_();
  auto scale = t({127.f, 254.f}).reshape({2, 1}).requires_grad_();
  auto y = symmetric_quantize(x, scale, symmetric_levels(8, true, true, false));
  ASSERT_EQ(y.sizes(), x.sizes());
  // row 0: one level = 1; row 1: lo = -254, R = 508, one level = 2, so 1 -> 0.5 levels -> 0 (half to even).
  EXPECT_TRUE(torch::equal(y, t({127.f, 1.f, 0.f, -254.f}).reshape({2, 2}))) << y;
  y.sum().backward();
  ASSERT_EQ(scale.grad().sizes(), scale.sizes());
  EXPECT_NEAR(scale.grad()[0][0].item<double>(), 1.0, kGradTolerance);
  EXPECT_NEAR(scale.grad()[1][0].item<double>(), -1.0 / 508 - 1.0, kGradTolerance);
}

// lo = -1, R = 254 on 256 levels: zp = round(255/254) = 1; moving the low end would give a range of
// 253.996 < 255 from moving the high end, so the result is (-1, 255): one level = 1, 0 at level 1.
TEST(QuantizationFakeQuantize, TuneRangeHandComputed) {
  auto r = TuneRangeFunction::apply(t({-1.f}), t({254.f}), 256);
  EXPECT_FLOAT_EQ(r[0].item<float>(), -1.f);
  EXPECT_FLOAT_EQ(r[1].item<float>(), 255.f);
}

// 0.0 always comes back as exactly 0.0 (the forward's levels are k * step around zp), and when 0 < zp < 255
// TuneRange puts both range ends on that grid. When zp rounds to 0 (or 255), NNCF's guards keep the range
// as it is ([-0.0123, 7.7577] below): the clamp end is then off the grid, but 0 itself is still exact.
TEST(QuantizationFakeQuantize, TuneRangeMakesZeroExactlyRepresentable) {
  constexpr double kLevelTolerance = 1e-4;  // in levels
  const auto levels = asymmetric_levels(8, false, false);
  struct Case {
    float lo, range;
    bool moved;
  };
  for (const Case& c : std::vector<Case>{{0.3f, 1.f, true}, {-0.37f, 1.13f, true}, {-2.f, 0.5f, true}, {-0.0123f, 7.77f, false}}) {
    auto [new_lo, new_range] = asymmetric_effective_range(t({c.lo}), t({c.range}), levels.levels());
    const double l = new_lo.item<double>(), r = new_range.item<double>();
    EXPECT_LE(l, 0.0);
    EXPECT_GE(l + r, 0.0);
    const double zero_level = -l / (r / 255);
    if (c.moved) {
      EXPECT_NEAR(zero_level, std::round(zero_level), kLevelTolerance) << c.lo << " " << c.range;
    } else {
      EXPECT_FLOAT_EQ(static_cast<float>(l), c.lo);
      EXPECT_FLOAT_EQ(static_cast<float>(r), c.range);
    }
    const auto y = asymmetric_quantize(t({0.f, 0.f}), t({c.lo}), t({c.range}), levels);
    EXPECT_EQ(y[0].item<float>(), 0.f) << c.lo << " " << c.range;
  }
}

TEST(QuantizationFakeQuantize, TuneRangeGradientIsStraightThrough) {
  auto lo = t({-0.37f}).requires_grad_();
  auto range = t({1.13f}).requires_grad_();
  auto r = TuneRangeFunction::apply(lo, range, 256);
  (r[0] * 3 + r[1] * 5).sum().backward();
  EXPECT_FLOAT_EQ(lo.grad().item<float>(), 3.f);
  EXPECT_FLOAT_EQ(range.grad().item<float>(), 5.f);
}

}  // namespace
}  // namespace jpqd::compression
