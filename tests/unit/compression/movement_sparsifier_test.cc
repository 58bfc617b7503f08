#include "compression/sparsity/movement/movement_sparsifier.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "compression/sparsity/movement/importance_loss.h"
#include "compression/sparsity/movement/threshold_ste.h"

namespace jpqd::compression {
namespace {

constexpr double kLossVectorTolerance = 5e-5;  // section 8 values have 4 decimals
constexpr double kFloatTolerance = 1e-5;

std::shared_ptr<MovementSparsifier> make(int64_t out, int64_t in, bool bias, SparseStructureMode mode, int64_t axis = 0,
                                         int64_t r = 1, int64_t c = 1) {
  SparseStructureEntry e;
  e.mode = mode;
  e.axis = axis;
  e.block_rows = r;
  e.block_cols = c;
  return std::make_shared<MovementSparsifier>(out, in, bias, mode, sparse_factors_for(e, out, in, "layer"));
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

TEST(MovementSparsifier, ShapesForEveryMode) {
  struct Case {
    SparseStructureMode mode;
    int64_t axis, r, c;
    std::vector<int64_t> weight_scores, bias_scores;
  };
  const std::vector<Case> cases = {
      {SparseStructureMode::kFine, 0, 1, 1, {12, 8}, {12}},
      {SparseStructureMode::kBlock, 0, 4, 2, {3, 4}, {3}},
      {SparseStructureMode::kPerDim, 0, 1, 1, {12, 1}, {12}},
      {SparseStructureMode::kPerDim, 1, 1, 1, {1, 8}, {1}},  // one scalar gates the whole bias
  };
  for (const auto& k : cases) {
    auto s = make(12, 8, true, k.mode, k.axis, k.r, k.c);
    EXPECT_EQ(s->weight_importance.sizes().vec(), k.weight_scores);
    EXPECT_EQ(s->bias_importance.sizes().vec(), k.bias_scores);
    EXPECT_TRUE(torch::equal(s->weight_importance, torch::zeros(k.weight_scores)));  // zero init
    EXPECT_TRUE(torch::equal(s->weight_mask(), torch::ones({12, 8})));
    EXPECT_TRUE(torch::equal(s->bias_mask(), torch::ones({12})));
    EXPECT_EQ(s->expanded_weight_importance().sizes().vec(), (std::vector<int64_t>{12, 8}));
    EXPECT_EQ(s->expanded_bias_importance().sizes().vec(), (std::vector<int64_t>{12}));
  }
  auto no_bias = make(12, 8, false, SparseStructureMode::kFine);
  EXPECT_FALSE(no_bias->bias_importance.defined());
  EXPECT_FALSE(no_bias->bias_mask().defined());
}

TEST(MovementSparsifier, StateDictNamesFollowNncf) {
  auto s = make(4, 4, true, SparseStructureMode::kFine);
  auto params = s->named_parameters();
  auto buffers = s->named_buffers();
  EXPECT_TRUE(params.contains("weight_importance"));
  EXPECT_TRUE(params.contains("bias_importance"));
  EXPECT_TRUE(buffers.contains("weight_ctx._binary_mask"));
  EXPECT_TRUE(buffers.contains("bias_ctx._binary_mask"));
}

TEST(MovementSparsifier, BlockExpansionRepeatsEachScoreOverItsBlock) {
  auto s = make(4, 6, true, SparseStructureMode::kBlock, 0, 2, 3);
  {
    torch::NoGradGuard g;
    s->weight_importance.copy_(torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}}));
    s->bias_importance.copy_(torch::tensor({5.0f, 6.0f}));
  }
  const auto e = s->expanded_weight_importance();
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j) EXPECT_EQ(e[i][j].item<float>(), 1.0f + 2 * (i / 2) + (j / 3)) << i << "," << j;
  EXPECT_TRUE(torch::equal(s->expanded_bias_importance(), torch::tensor({5.0f, 5.0f, 6.0f, 6.0f})));
}

TEST(MovementSparsifier, ForwardMasksWeightAndBiasByThreshold) {
  auto s = make(2, 2, true, SparseStructureMode::kFine);
  {
    torch::NoGradGuard g;
    s->weight_importance.copy_(torch::tensor({{0.5f, -0.5f}, {2.0f, -3.0f}}));
    s->bias_importance.copy_(torch::tensor({-1.0f, 1.0f}));
  }
  s->set_importance_threshold(0.0);
  const auto w = torch::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}});
  const auto b = torch::tensor({5.0f, 6.0f});
  auto [w2, b2] = s->transform(w, b);
  EXPECT_TRUE(torch::equal(w2, torch::tensor({{1.0f, 0.0f}, {3.0f, 0.0f}})));
  EXPECT_TRUE(torch::equal(b2, torch::tensor({0.0f, 6.0f})));
  // The masks are stored in the buffers.
  EXPECT_TRUE(torch::equal(s->weight_mask(), torch::tensor({{1.0f, 0.0f}, {1.0f, 0.0f}})));
  EXPECT_TRUE(torch::equal(s->bias_mask(), torch::tensor({0.0f, 1.0f})));
}

TEST(MovementSparsifier, BeforeWarmupEverythingIsKept) {
  auto s = make(3, 3, true, SparseStructureMode::kFine);
  {
    torch::NoGradGuard g;
    s->weight_importance.copy_(torch::arange(9, torch::kFloat).reshape({3, 3}) - 100);
  }
  auto [w2, b2] = s->transform(torch::ones({3, 3}), torch::ones({3}));  // tau = -inf by default
  EXPECT_TRUE(torch::equal(w2, torch::ones({3, 3})));
  EXPECT_TRUE(torch::equal(b2, torch::ones({3})));
}

TEST(MovementSparsifier, QuantileCapKeepsTheTopTwoPercent) {
  // Scores 0..99: quantile(0.98) = 97 + 0.02*(98-97) = 97.02, so even a huge threshold keeps 98 and 99.
  auto s = make(10, 10, false, SparseStructureMode::kFine);
  {
    torch::NoGradGuard g;
    s->weight_importance.copy_(torch::arange(100, torch::kFloat).reshape({10, 10}));
  }
  s->set_importance_threshold(1e9);
  s->transform(torch::ones({10, 10}), torch::Tensor());
  const auto m = s->weight_mask().flatten();
  EXPECT_EQ(m.sum().item<float>(), 2.0f);
  EXPECT_EQ(m[98].item<float>(), 1.0f);
  EXPECT_EQ(m[99].item<float>(), 1.0f);
  EXPECT_NEAR(expanded_quantile(s->weight_importance, 1, 0.98), 97.02, kFloatTolerance);
}

TEST(MovementSparsifier, ExpandedQuantileEqualsTorchQuantileOfTheExpandedTensor) {
  torch::manual_seed(3);
  for (int64_t repeats : {1, 2, 7, 64, 768}) {
    for (int64_t n : {1, 2, 5, 37, 300}) {
      const auto scores = torch::randn({n});
      const auto expanded = scores.repeat_interleave(repeats);
      for (double q : {0.0, 0.3, 0.5, 0.98, 1.0}) {
        const double reference = torch::quantile(expanded, q).item<double>();
        EXPECT_EQ(expanded_quantile(scores, repeats, q), reference)
            << "n " << n << " repeats " << repeats << " q " << q;
      }
    }
  }
  // BERT-base's intermediate layer with per_dim axis 0: 3072 scores x 768, where the float32 rank
  // arithmetic of torch.quantile matters.
  const auto scores = torch::randn({3072});
  EXPECT_EQ(expanded_quantile(scores, 768, 0.98), torch::quantile(scores.repeat_interleave(768), 0.98).item<double>());
}

// dL/dW = M * dL/dW', dL/dS_block = sum over the block of dL/dW' * W (docs/algorithms.md 1.3), checked against
// loops over a 4x6 weight with 2x3 blocks, one block masked.
TEST(MovementSparsifier, StraightThroughGradientsMatchHandComputation) {
  auto s = make(4, 6, true, SparseStructureMode::kBlock, 0, 2, 3);
  {
    torch::NoGradGuard g;
    s->weight_importance.copy_(torch::tensor({{0.5f, -0.5f}, {1.5f, 2.5f}}));
    s->bias_importance.copy_(torch::tensor({-1.0f, 1.0f}));
  }
  s->set_importance_threshold(0.0);
  torch::manual_seed(0);
  auto w = torch::randn({4, 6}).requires_grad_(true);
  auto b = torch::randn({4}).requires_grad_(true);
  const auto gw = torch::randn({4, 6});  // dL/dW'
  const auto gb = torch::randn({4});     // dL/db'
  auto [w2, b2] = s->transform(w, b);
  ((w2 * gw).sum() + (b2 * gb).sum()).backward();

  const float mask[2][2] = {{1, 0}, {1, 1}};
  const float bias_mask[2] = {0, 1};
  auto W = w.detach();
  auto B = b.detach();
  for (int bi = 0; bi < 2; ++bi) {
    for (int bj = 0; bj < 2; ++bj) {
      double expected = 0;
      for (int i = 2 * bi; i < 2 * bi + 2; ++i)
        for (int j = 3 * bj; j < 3 * bj + 3; ++j) expected += gw[i][j].item<double>() * W[i][j].item<double>();
      EXPECT_NEAR(s->weight_importance.grad()[bi][bj].item<double>(), expected, kFloatTolerance) << bi << "," << bj;
    }
    double expected_bias = 0;
    for (int i = 2 * bi; i < 2 * bi + 2; ++i) expected_bias += gb[i].item<double>() * B[i].item<double>();
    EXPECT_NEAR(s->bias_importance.grad()[bi].item<double>(), expected_bias, kFloatTolerance) << bi;
  }
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 6; ++j)
      EXPECT_FLOAT_EQ(w.grad()[i][j].item<float>(), mask[i / 2][j / 3] * gw[i][j].item<float>()) << i << "," << j;
    EXPECT_FLOAT_EQ(b.grad()[i].item<float>(), bias_mask[i / 2] * gb[i].item<float>()) << i;
  }
}

TEST(MovementSparsifier, EvalModeAndFrozenUseTheStoredMasks) {
  auto s = make(2, 2, true, SparseStructureMode::kFine);
  s->set_weight_mask(torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}}));
  s->set_bias_mask(torch::tensor({0.0f, 1.0f}));
  const auto w = torch::ones({2, 2});
  const auto b = torch::ones({2});
  s->eval();
  auto [w_eval, b_eval] = s->transform(w, b);
  EXPECT_TRUE(torch::equal(w_eval, torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}})));
  EXPECT_TRUE(torch::equal(b_eval, torch::tensor({0.0f, 1.0f})));

  s->train();
  s->set_importance_threshold(0.5);  // would mask everything (all scores are 0) if recomputed
  // Give the scores a gradient, then freeze: it must be dropped and no longer flow.
  s->raw_loss().backward();
  ASSERT_TRUE(s->weight_importance.grad().defined());
  s->freeze();
  EXPECT_TRUE(s->frozen());
  EXPECT_FALSE(s->weight_importance.requires_grad());
  EXPECT_FALSE(s->weight_importance.grad().defined());
  EXPECT_FALSE(s->bias_importance.grad().defined());
  auto [w_frozen, b_frozen] = s->transform(w, b);
  EXPECT_TRUE(torch::equal(w_frozen, torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}})));
  EXPECT_TRUE(torch::equal(b_frozen, torch::tensor({0.0f, 1.0f})));
  s->set_importance_regularization_factor(1.0);
  EXPECT_EQ(s->loss().item<double>(), 0.0);
}

TEST(MovementSparsifier, CompressibleLinearAppliesTheMaskedParameters) {
  model::CompressibleLinear linear(3, 2);
  auto s = make(2, 3, true, SparseStructureMode::kPerDim, 0);
  linear->add_params_hook("sparsifier", s, model::kSparsityPriority);
  {
    torch::NoGradGuard g;
    s->weight_importance.copy_(torch::tensor({{-1.0f}, {1.0f}}));
    s->bias_importance.copy_(torch::tensor({1.0f, -1.0f}));
  }
  s->set_importance_threshold(0.0);
  const auto x = torch::randn({5, 3});
  const auto y = linear->forward(x);
  const auto w = linear->weight.detach().clone();
  const auto b = linear->bias.detach().clone();
  w[0].zero_();
  b[1].zero_();
  EXPECT_TRUE(torch::allclose(y, torch::matmul(x, w.t()) + b));
  EXPECT_TRUE(linear->named_parameters().contains("sparsifier.weight_importance"));
}

// Section 8: raw layer loss of a 2x2 Linear for every mode.
TEST(MovementLoss, RawLayerLossVectors) {
  auto fine = make(2, 2, true, SparseStructureMode::kFine);
  auto block = make(2, 2, true, SparseStructureMode::kBlock, 0, 2, 2);
  auto rows = make(2, 2, true, SparseStructureMode::kPerDim, 0);
  auto cols = make(2, 2, false, SparseStructureMode::kPerDim, 1);
  {
    torch::NoGradGuard g;
    fine->weight_importance.copy_(torch::tensor({{0.0f, 1.0f}, {1.0f, -1.0f}}));
    fine->bias_importance.copy_(torch::tensor({-2.0f, 2.0f}));
    block->weight_importance.copy_(torch::tensor({{1.0f}}));
    block->bias_importance.copy_(torch::tensor({-2.0f}));
    rows->weight_importance.copy_(torch::tensor({{2.0f}, {3.0f}}));
    rows->bias_importance.copy_(torch::tensor({1.0f, 4.0f}));
    cols->weight_importance.copy_(torch::tensor({{2.0f, 3.0f}}));
  }
  EXPECT_NEAR(fine->raw_loss().item<double>(), 1.0578, kLossVectorTolerance);
  EXPECT_NEAR(block->raw_loss().item<double>(), 3.1626, kLossVectorTolerance);
  EXPECT_NEAR(rows->raw_loss().item<double>(), 2.6899, kLossVectorTolerance);
  EXPECT_NEAR(cols->raw_loss().item<double>(), 1.8334, kLossVectorTolerance);

  // Layer loss = lambda_t * 0.5 * raw; model loss = mean over layers; 0 when lambda_t = 0 or disabled.
  ImportanceLoss loss({fine, block, rows, cols});
  EXPECT_EQ(loss.calculate().item<double>(), 0.0);
  for (auto& l : {fine, block, rows, cols}) l->set_importance_regularization_factor(0.1);
  const double raw[4] = {
      (0.5 + 2 * sigmoid(1) + sigmoid(-1)) / 4 + (sigmoid(-2) + sigmoid(2)) / 2,
      sigmoid(1) * 4 + sigmoid(-2) * 2,
      (sigmoid(2) + sigmoid(3)) / 2 * 2 + (sigmoid(1) + sigmoid(4)) / 2,
      (sigmoid(2) + sigmoid(3)) / 2 * 2,
  };
  EXPECT_NEAR(fine->loss().item<double>(), 0.1 * 0.5 * raw[0], kFloatTolerance);
  EXPECT_NEAR(loss.calculate().item<double>(), 0.1 * 0.5 * (raw[0] + raw[1] + raw[2] + raw[3]) / 4, kFloatTolerance);
  loss.disable();
  EXPECT_EQ(loss.calculate().item<double>(), 0.0);
}

TEST(MovementLoss, GradientOfTheLossPushesScoresDown) {
  auto s = make(2, 2, true, SparseStructureMode::kFine);
  s->set_importance_regularization_factor(2.0);
  s->loss().backward();
  // d/dS of 2 * 0.5 * mean(sigma(S)) * 1 with S = 0: sigma'(0) / 4 = 0.0625 per weight score.
  EXPECT_TRUE(torch::allclose(s->weight_importance.grad(), torch::full({2, 2}, 0.0625)));
  EXPECT_TRUE(torch::allclose(s->bias_importance.grad(), torch::full({2}, 0.125)));
}

}  // namespace
}  // namespace jpqd::compression
