// The quantization controller on the tiny graph: range initialisation through forward passes, weights
// initialised after the movement mask, bit-exact export parameters, checkpoint restore, gradients.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "compression/config/compression_config.h"
#include "compression/quantization/build_quantization.h"
#include "compression/quantization/export_params.h"
#include "compression/sparsity/movement/movement_sparsifier.h"
#include "quantization_test_configs.h"
#include "quantization_test_graph.h"

namespace jpqd::compression {
namespace {

using testing::config_from;
using testing::entry;
using testing::InputRecorder;
using testing::jpqd_config;
using testing::QuantTinyBert;

constexpr double kParamTolerance = 1e-6;  // absolute, float32 parameters of order 1

torch::Tensor batch(int64_t vocab) {
  torch::manual_seed(5);
  return torch::randint(0, vocab, {4, 6});
}

// The trainer's range initialisation on batch()'s ids.
void initialise(QuantizationController& c, QuantTinyBert& m) { testing::initialise_ranges(c, m, 5); }

TEST(QuantizationController, MinMaxInitFromTheFloatActivations) {
  QuantTinyBert m(1);
  auto recorder = std::make_shared<InputRecorder>();
  m.node("classifier").linear->add_input_hook("recorder", recorder, 0);
  auto c = build_quantization_on_graph(
      config_from(R"({"algorithm": "quantization", "preset": "mixed", "initializer": {"range": {"num_init_samples": 4, "type": "min_max"}}})"),
      m.graph, {});
  EXPECT_EQ(c->init_samples_needed(), 4);
  EXPECT_FALSE(c->initialized());
  initialise(*c, m);
  EXPECT_TRUE(c->initialized());
  EXPECT_EQ(c->init_samples_needed(), 0);  // never again, e.g. after a resume
  // One channel: the range is exactly [min, max] of what the classifier received (unquantized upstream).
  const FakeQuantizer& q = *entry(*c, "classifier.input_quantizer").quantizer;
  EXPECT_NEAR(q.input_low.item<double>(), recorder->seen.min().item<double>(), kParamTolerance);
  EXPECT_NEAR(q.input_range.item<double>(), (recorder->seen.max() - recorder->seen.min()).item<double>(), kParamTolerance);
  // Symmetric weights: per-row max |w|, floored at 0.1.
  const auto& w = m.node("bert.encoder.layer.0.attention.self.query").linear->weight;
  const auto expected = std::get<0>(w.detach().abs().max(1)).clamp_min(0.1).unsqueeze(1);
  EXPECT_TRUE(torch::allclose(entry(*c, "bert.encoder.layer.0.attention.self.query.weight_quantizer").quantizer->scale,
                              expected));
  EXPECT_EQ(c->state()["initialized"], true);
  EXPECT_EQ(c->statistics()["initialized"], 1);
}

TEST(QuantizationController, SymmetricActivationSignIsDecidedAtInit) {
  QuantTinyBert m(1);
  auto c = build_quantization_on_graph(config_from(R"({"algorithm": "quantization", "initializer": {"range": {"num_init_samples": 4}}})"),
                                       m.graph, {});
  initialise(*c, m);
  // LayerNorm outputs have negative values; tanh outputs too; GELU outputs reach slightly below zero.
  EXPECT_TRUE(entry(*c, "bert.encoder.layer.0.attention.self.qkv_input.quantizer").quantizer->is_signed());
  EXPECT_EQ(entry(*c, "bert.encoder.layer.0.attention.self.qkv_input.quantizer").quantizer->levels().low, -128);
}

// Movement mask (priority 3) before the weight quantizer (priority 11): the quantizer sees M*W.
TEST(QuantizationController, MaskThenQuantize) {
  QuantTinyBert m(1);
  auto& linear = *m.node("bert.encoder.layer.0.intermediate.dense").linear;
  auto sparsifier = std::make_shared<MovementSparsifier>(linear.out_features, linear.in_features, true,
                                                         SparseStructureMode::kFine, SparseFactors{1, 1});
  torch::Tensor mask = torch::ones({linear.out_features, linear.in_features});
  mask[1] = 0;
  mask[3].slice(0, 0, 4) = 0;
  sparsifier->set_weight_mask(mask);
  sparsifier->freeze();  // use the stored mask
  linear.add_params_hook("sparsifier", sparsifier, model::kSparsityPriority);
  auto c = build_quantization_on_graph(
      config_from(R"({"algorithm": "quantization", "overflow_fix": "disable", "initializer": {"range": {"num_init_samples": 4, "type": "min_max"}}})"),
      m.graph, {});
  initialise(*c, m);
  const FakeQuantizer& q = *entry(*c, "bert.encoder.layer.0.intermediate.dense.weight_quantizer").quantizer;
  const torch::Tensor masked = linear.weight.detach() * mask;
  const auto expected_scale = std::get<0>(masked.abs().max(1)).clamp_min(0.1).unsqueeze(1);
  EXPECT_TRUE(torch::allclose(q.scale, expected_scale));
  EXPECT_FLOAT_EQ(q.scale[1][0].item<float>(), 0.1f);  // an all-masked row gets the floor
  torch::NoGradGuard no_grad;
  const torch::Tensor w = linear.effective_params().first;
  EXPECT_TRUE(torch::equal(w, symmetric_quantize(masked, q.scale, symmetric_levels(8, true, true, false))));
  EXPECT_TRUE(w[1].eq(0).all().item<bool>());
}

TEST(QuantizationController, ExportIsBitExactWithTheForward) {
  QuantTinyBert m(1);
  auto c = build_quantization_on_graph(jpqd_config(), m.graph, {});
  initialise(*c, m);
  torch::NoGradGuard no_grad;
  int checked = 0;
  for (const auto& e : c->quantizers()) {
    const QuantizerExportParams p = export_entry(e);
    if (e.placement.kind == QuantizerKind::kWeight) {
      const model::ModelNode& node = m.node(e.placement.name.substr(0, e.placement.name.rfind('.')));
      const torch::Tensor forward = node.kind == model::NodeKind::kLinear ? node.linear->effective_params().first
                                                                          : node.hook_point->forward(node.embedding_weight);
      EXPECT_TRUE(torch::equal(dequantize(p, p.quantized), forward)) << e.placement.name;
      EXPECT_EQ(p.quantized.scalar_type(), torch::kChar);
      // Half range: 7-bit values in 8-bit storage, the step unchanged.
      EXPECT_GE(p.quantized.min().item<int>(), -64);
      EXPECT_LE(p.quantized.max().item<int>(), 63);
      EXPECT_EQ(p.scale.numel(), p.quantized.size(0));
      EXPECT_TRUE(p.zero_point.eq(0).all().item<bool>());
    } else {
      torch::manual_seed(9);
      const torch::Tensor x = torch::randn({3, 5, m.hidden}) * 3;
      const QuantizerExportParams px = export_weight(*e.quantizer, x);
      EXPECT_TRUE(torch::equal(dequantize(px, px.quantized), (*e.quantizer)(x))) << e.placement.name;
      if (e.placement.settings.mode == QuantizationMode::kAsymmetric) {
        EXPECT_FALSE(p.is_signed);
        EXPECT_EQ(px.quantized.scalar_type(), torch::kByte);
        // 0.0 is stored as the zero point and comes back exactly.
        const auto zero = export_weight(*e.quantizer, torch::zeros({1}));
        EXPECT_EQ(zero.quantized.item<int>(), p.zero_point.item<int>());
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(c->quantizers().size()));
}

// Parameters and buffers are all a checkpoint needs: a fresh model that loads them is initialised and
// computes the same logits.
TEST(QuantizationController, StateDictRestoresEverything) {
  QuantTinyBert a(1), b(1);
  auto ca = build_quantization_on_graph(jpqd_config(), a.graph, {});
  auto cb = build_quantization_on_graph(jpqd_config(), b.graph, {});
  initialise(*ca, a);
  torch::NoGradGuard no_grad;
  auto copy = [](torch::nn::Module& from, torch::nn::Module& to) {
    auto dst_p = to.named_parameters();
    for (const auto& item : from.named_parameters()) dst_p[item.key()].copy_(item.value());
    auto dst_b = to.named_buffers();
    for (const auto& item : from.named_buffers()) dst_b[item.key()].copy_(item.value());
  };
  for (size_t i = 0; i < a.linears.size(); ++i) copy(*a.linears[i], *b.linears[i]);
  for (size_t i = 0; i < a.points.size(); ++i) copy(*a.points[i], *b.points[i]);
  for (size_t i = 0; i < a.tables.size(); ++i) b.tables[i].copy_(a.tables[i]);
  EXPECT_TRUE(cb->initialized());
  EXPECT_EQ(cb->init_samples_needed(), 0);
  cb->load_state(ca->state());
  const auto ids = batch(a.vocab);
  EXPECT_TRUE(torch::equal(a.forward(ids), b.forward(ids)));
  for (size_t i = 0; i < ca->quantizers().size(); ++i)
    EXPECT_EQ(ca->quantizers()[i].quantizer->is_signed(), cb->quantizers()[i].quantizer->is_signed());
}

TEST(QuantizationController, QuantizerParametersReceiveGradientsAndLrMultiplier) {
  QuantTinyBert m(1);
  auto c = build_quantization_on_graph(jpqd_config(), m.graph, {});
  initialise(*c, m);
  m.forward(batch(m.vocab)).pow(2).sum().backward();
  const auto& q = *entry(*c, "classifier.input_quantizer").quantizer;
  ASSERT_TRUE(q.input_range.grad().defined());
  ASSERT_TRUE(entry(*c, "bert.encoder.layer.0.output.dense.weight_quantizer").quantizer->scale.grad().defined());

  QuantTinyBert m2(1);
  QuantizationConfig doubled = jpqd_config();
  doubled.compression_lr_multiplier = 2.0;
  auto c2 = build_quantization_on_graph(doubled, m2.graph, {});
  initialise(*c2, m2);
  m2.forward(batch(m2.vocab)).pow(2).sum().backward();
  const auto& q2 = *entry(*c2, "classifier.input_quantizer").quantizer;
  EXPECT_TRUE(torch::allclose(q2.input_range.grad(), q.input_range.grad() * 2));
}

TEST(QuantizationController, ListingAndStatistics) {
  QuantTinyBert m(1);
  auto c = build_quantization_on_graph(jpqd_config(), m.graph, {});
  initialise(*c, m);
  const auto infos = c->list();
  ASSERT_EQ(infos.size(), c->quantizers().size());
  const Json first = infos.front().to_json();
  EXPECT_EQ(first["name"], "bert.embeddings.word_embeddings.weight_quantizer");
  EXPECT_EQ(first["kind"], "weight");
  EXPECT_EQ(first["granularity"], "per_channel");
  EXPECT_EQ(first["level_low"], -64);
  EXPECT_LT(first["low_min"].get<double>(), 0.0);
  EXPECT_NE(format_quantizer_table(infos).find("classifier.input_quantizer"), std::string::npos);
  const Json s = c->statistics();
  EXPECT_EQ(s["weight_quantizers"], 6 + 2 + 3);
  EXPECT_EQ(s["activation_quantizers"], 6 + 2);
  EXPECT_EQ(s["bits"], 8);
  EXPECT_DOUBLE_EQ(s["ratio_of_quantized_linear_layers"].get<double>(), 1.0);
  EXPECT_FLOAT_EQ(c->loss().item<float>(), 0.f);
}

}  // namespace
}  // namespace jpqd::compression
