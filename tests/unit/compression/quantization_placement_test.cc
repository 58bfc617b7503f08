// Quantizer placement on a hand-built tiny BERT graph (quantization_test_graph.h) with the published JPQD
// config, and the scope rules of quantizer_placement.h.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "compression/config/compression_config.h"
#include "compression/quantization/build_quantization.h"
#include "quantization_test_configs.h"
#include "quantization_test_graph.h"

namespace jpqd::compression {
namespace {

using testing::config_from;
using testing::entry;
using testing::jpqd_config;
using testing::QuantTinyBert;

struct Counts {
  int64_t weights = 0, activations = 0;
};

Counts count(const QuantizationController& c) {
  Counts n;
  for (const auto& q : c.quantizers()) (q.placement.kind == QuantizerKind::kWeight ? n.weights : n.activations)++;
  return n;
}

bool has(const QuantizationController& c, const std::string& name) {
  for (const auto& q : c.quantizers())
    if (q.placement.name == name) return true;
  return false;
}

// The published JPQD config on eager attention, per encoder layer:
//   weights:     Q, K, V, attention output, intermediate, output            = 6
//   activations: shared Q/K/V input, both matmul_0 inputs, attention-output,
//                intermediate and output dense inputs                        = 6
// plus the pooler and classifier (a weight and an input each) and the three embedding tables (weights;
// the JPQD quantization section does not ignore them). Its ignored scopes (residual adds, LayerNorms)
// name ops that carry no quantizer here, so they remove nothing; in particular the shared Q/K/V input,
// which sits on a LayerNorm output, belongs to Q/K/V and stays.
TEST(QuantizationPlacement, PublishedJpqdConfigCounts) {
  QuantTinyBert m(2);
  auto c = build_quantization_on_graph(jpqd_config(), m.graph, {});
  const Counts n = count(*c);
  EXPECT_EQ(n.weights, 6 * 2 + 2 + 3);
  EXPECT_EQ(n.activations, 6 * 2 + 2);
  EXPECT_TRUE(has(*c, "bert.encoder.layer.1.attention.self.qkv_input.quantizer"));
  EXPECT_FALSE(has(*c, "bert.encoder.layer.0.attention.self.query.input_quantizer"));
}

// Optimum's test on a 5-layer tiny BERT (attention matmuls and embeddings not quantized) expects 22
// activation FQs (4 per layer + pooler + classifier) and 32 int8 weights (6 per layer + pooler + classifier).
TEST(QuantizationPlacement, OptimumFiveLayerCountsWithAttentionAndEmbeddingsIgnored) {
  QuantTinyBert m(5);
  auto c = build_quantization_on_graph(
      config_from(R"({"algorithm": "quantization", "preset": "mixed",
        "ignored_scopes": ["{re}.*Embedding.*", "{re}.*add___.*", "{re}.*layer_norm_.*", "{re}.*matmul_0",
                           "{re}.*matmul_1", "{re}.*__truediv__.*"]})"),
      m.graph, {});
  const Counts n = count(*c);
  EXPECT_EQ(n.activations, 22);
  EXPECT_EQ(n.weights, 32);
}

TEST(QuantizationPlacement, JpqdSettingsPerQuantizer) {
  QuantTinyBert m(2);
  auto c = build_quantization_on_graph(jpqd_config(), m.graph, {});
  for (const auto& q : c->quantizers()) {
    const QuantizerSettings& s = q.placement.settings;
    const bool matmul = q.placement.name.find("matmul_0") != std::string::npos;
    if (q.placement.kind == QuantizerKind::kWeight) {
      EXPECT_EQ(s.mode, QuantizationMode::kSymmetric) << q.placement.name;
      EXPECT_TRUE(s.per_channel) << q.placement.name;
      EXPECT_TRUE(s.half_range) << q.placement.name;  // overflow_fix "enable"
      EXPECT_EQ(q.quantizer->levels().low, -64);
      EXPECT_EQ(q.quantizer->levels().high, 63);
    } else {
      EXPECT_EQ(s.mode, matmul ? QuantizationMode::kSymmetric : QuantizationMode::kAsymmetric) << q.placement.name;
      EXPECT_FALSE(s.per_channel);
      EXPECT_FALSE(s.signedness_to_force.has_value()) << q.placement.name;
    }
  }
  EXPECT_EQ(entry(*c, "bert.embeddings.word_embeddings.weight_quantizer").quantizer->scale.sizes(),
            torch::IntArrayRef({m.vocab, 1}));
  EXPECT_EQ(entry(*c, "bert.encoder.layer.0.intermediate.dense.weight_quantizer").quantizer->scale.sizes(),
            torch::IntArrayRef({m.intermediate, 1}));
  EXPECT_EQ(entry(*c, "classifier.input_quantizer").quantizer->input_low.sizes(), torch::IntArrayRef({1}));
}

TEST(QuantizationPlacement, ParametersAndBuffersAreRegisteredOnTheModel) {
  QuantTinyBert m(1);
  build_quantization_on_graph(jpqd_config(), m.graph, {});
  const auto& dense = *m.node("bert.encoder.layer.0.output.dense").linear;
  auto params = dense.named_parameters();
  EXPECT_TRUE(params.contains("weight_quantizer.scale"));
  EXPECT_TRUE(params.contains("input_quantizer.input_low"));
  EXPECT_TRUE(params.contains("input_quantizer.input_range"));
  auto buffers = dense.named_buffers();
  EXPECT_TRUE(buffers.contains("weight_quantizer.signed_tensor"));
  EXPECT_TRUE(buffers.contains("input_quantizer.initialized"));
  EXPECT_TRUE(m.node("bert.encoder.layer.0.attention.self.matmul_0_input0").hook_point->named_parameters().contains(
      "quantizer.scale"));
}

TEST(QuantizationPlacement, QkvInputDisappearsOnlyWhenQKAndVAreAllIgnored) {
  QuantTinyBert m(2);
  auto c = build_quantization_on_graph(
      config_from(R"({"algorithm": "quantization",
        "ignored_scopes": ["{re}BertLayer\\[0\\].*NNCFLinear\\[(query|key|value)\\]", "{re}BertLayer\\[1\\].*NNCFLinear\\[query\\]"]})"),
      m.graph, {});
  EXPECT_FALSE(has(*c, "bert.encoder.layer.0.attention.self.qkv_input.quantizer"));
  EXPECT_TRUE(has(*c, "bert.encoder.layer.1.attention.self.qkv_input.quantizer"));
  EXPECT_FALSE(has(*c, "bert.encoder.layer.1.attention.self.query.weight_quantizer"));
  EXPECT_TRUE(has(*c, "bert.encoder.layer.1.attention.self.key.weight_quantizer"));
}

TEST(QuantizationPlacement, IgnoringALinearDropsItsWeightAndInputQuantizers) {
  QuantTinyBert m(1);
  auto c = build_quantization_on_graph(config_from(R"({"algorithm": "quantization", "ignored_scopes": "{re}.*classifier.*"})"),
                                       m.graph, {});
  EXPECT_FALSE(has(*c, "classifier.weight_quantizer"));
  EXPECT_FALSE(has(*c, "classifier.input_quantizer"));
  EXPECT_TRUE(has(*c, "bert.pooler.dense.input_quantizer"));
}

TEST(QuantizationPlacement, GroupScopesAndTargetScopes) {
  QuantTinyBert m(1);
  auto c = build_quantization_on_graph(
      config_from(R"({"algorithm": "quantization", "target_scopes": ["{re}.*BertIntermediate.*"],
                      "activations": {"ignored_scopes": ["{re}.*BertIntermediate.*"]}})"),
      m.graph, {});
  ASSERT_EQ(c->quantizers().size(), 1u);
  EXPECT_EQ(c->quantizers()[0].placement.name, "bert.encoder.layer.0.intermediate.dense.weight_quantizer");
}

TEST(QuantizationPlacement, OverflowFixFirstLayerOnlyAndDisable) {
  QuantTinyBert m(2);
  auto c = build_quantization_on_graph(config_from(R"({"algorithm": "quantization", "overflow_fix": "first_layer_only"})"),
                                       m.graph, {});
  for (const auto& q : c->quantizers()) {
    if (q.placement.kind != QuantizerKind::kWeight) continue;
    const std::string& n = q.placement.name;
    const bool first = n.rfind("bert.encoder.layer.0.attention.self.", 0) == 0;
    EXPECT_EQ(q.placement.settings.half_range, first) << n;
    EXPECT_EQ(q.placement.settings.narrow_range, !first) << n;
  }
  QuantTinyBert m2(1);
  auto d = build_quantization_on_graph(config_from(R"({"algorithm": "quantization", "overflow_fix": "disable"})"), m2.graph, {});
  EXPECT_EQ(entry(*d, "classifier.weight_quantizer").quantizer->levels().low, -127);
}

TEST(QuantizationPlacement, ScopeOverridesApplyInOrder) {
  QuantTinyBert m(1);
  auto c = build_quantization_on_graph(
      config_from(R"({"algorithm": "quantization", "preset": "mixed",
        "scope_overrides": {"weights": {"{re}.*classifier.*": {"per_channel": false}},
                            "activations": {"{re}.*query.*": {"mode": "symmetric", "signed": true}}}})"),
      m.graph, {});
  EXPECT_FALSE(entry(*c, "classifier.weight_quantizer").placement.settings.per_channel);
  // The shared Q/K/V input answers to the ops it feeds.
  const auto& qkv = entry(*c, "bert.encoder.layer.0.attention.self.qkv_input.quantizer").placement.settings;
  EXPECT_EQ(qkv.mode, QuantizationMode::kSymmetric);
  EXPECT_EQ(qkv.signedness_to_force, std::optional<bool>(true));
  EXPECT_EQ(entry(*c, "classifier.input_quantizer").placement.settings.mode, QuantizationMode::kAsymmetric);
}

void expect_build_error(const std::string& config, const BuildContext& ctx, std::initializer_list<std::string> fragments) {
  QuantTinyBert m(1);
  try {
    build_quantization_on_graph(config_from(config), m.graph, ctx);
    FAIL() << "no error for " << config;
  } catch (const InvalidArgument& e) {
    for (const auto& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
  // Nothing was attached.
  for (const auto& l : m.linears) {
    EXPECT_TRUE(l->params_hooks().empty());
    EXPECT_TRUE(l->input_hooks().empty());
  }
}

TEST(QuantizationPlacement, BuildErrors) {
  expect_build_error(R"({"algorithm": "quantization", "ignored_scopes": ["{re}.*Bertoutput.*"]})", {},
                     {"quantization.ignored_scopes", "Bertoutput", "matches no node"});
  expect_build_error(R"({"algorithm": "quantization", "target_scopes": "nope"})", {}, {"target_scopes", "nope"});
  expect_build_error(R"({"algorithm": "quantization", "weights": {"ignored_scopes": "{re}.*xyz"}})", {},
                     {"weights.ignored_scopes", "xyz"});
  expect_build_error(R"({"algorithm": "quantization", "scope_overrides": {"activations": {"{re}.*matmul_9": {"mode": "symmetric"}}}})",
                     {}, {"scope_overrides.activations", "matmul_9", "no activation quantizer"});
  // A layer_norm op exists, but it carries no weight quantizer.
  expect_build_error(R"({"algorithm": "quantization", "scope_overrides": {"weights": {"{re}.*layer_norm_0": {"bits": 8}}}})",
                     {}, {"scope_overrides.weights", "no weight quantizer"});
  BuildContext small;
  small.train_samples = 10;
  expect_build_error(R"({"algorithm": "quantization", "initializer": {"range": {"num_init_samples": 32}}})", small,
                     {"num_init_samples", "32", "10 training samples"});
  expect_build_error(R"({"algorithm": "quantization", "ignored_scopes": "{re}.*"})", {}, {"no quantizer left"});
}

TEST(QuantizationPlacement, ValidateScopesFalseAcceptsScopesThatMatchNothing) {
  QuantTinyBert m(1);
  auto c = build_quantization_on_graph(
      config_from(R"({"algorithm": "quantization", "validate_scopes": false, "ignored_scopes": ["{re}.*nothing.*"]})"),
      m.graph, {});
  EXPECT_EQ(count(*c).weights, 6 + 2 + 3);
}

}  // namespace
}  // namespace jpqd::compression
