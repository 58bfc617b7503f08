// The keys every NNCF algorithm section shares, from the parsed config to their effect: compression_lr_multiplier
// scales the gradients of each algorithm's own parameters (importance scores, quantizer ranges), also when it
// comes from the top level; validate_scopes: false lets movement sparsity's scopes match nothing.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "compression/config/compression_config.h"
#include "compression/quantization/build_quantization.h"
#include "compression/sparsity/movement/build_movement_sparsity.h"
#include "movement_test_graph.h"
#include "quantization_test_configs.h"

namespace jpqd::compression {
namespace {

const char* kMovementSection = R"({"algorithm": "movement_sparsity",
  "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 2, "importance_regularization_factor": 0.05},
  "ignored_scopes": ["{re}.*pooler.*", "{re}.*classifier.*"]})";

MovementBuildOptions options_for(const testing::TinyBertGraph& g) {
  MovementBuildOptions o;
  o.head_dim = g.head_dim();
  o.model_parameters = g.parameters();
  return o;
}

// Gradients of every importance score after one backward of a fixed loss through the sparsified layers.
std::vector<torch::Tensor> importance_gradients(const MovementSparsityConfig& config) {
  testing::TinyBertGraph g(1);
  auto c = build_movement_sparsity(config, g.graph, options_for(g));
  torch::manual_seed(3);
  torch::Tensor loss = torch::zeros({});
  for (const auto& l : c->layers())
    loss = loss + l.linear->forward(torch::randn({4, l.linear->in_features})).pow(2).mean();
  loss.backward();
  std::vector<torch::Tensor> grads;
  for (const auto& l : c->layers())
    for (const auto& p : l.sparsifier->parameters()) grads.push_back(p.grad().clone());
  return grads;
}

CompressionConfig wrapped(const Json& compression, std::optional<double> top_level_multiplier) {
  Json j = {{"compression", compression}};
  if (top_level_multiplier) j["compression_lr_multiplier"] = *top_level_multiplier;
  return CompressionConfig::parse(j, "c.json");
}

TEST(ConfigAlgorithmKeys, LrMultiplierScalesImportanceScoreGradients) {
  const Json section = Json::parse(kMovementSection);
  const auto plain = importance_gradients(*wrapped(section, std::nullopt).movement_sparsity);
  Json own = section;
  own["compression_lr_multiplier"] = 4.0;
  const auto from_section = importance_gradients(*wrapped(own, std::nullopt).movement_sparsity);
  const auto from_top = importance_gradients(*wrapped(section, 4.0).movement_sparsity);
  ASSERT_EQ(plain.size(), from_section.size());
  ASSERT_EQ(plain.size(), from_top.size());
  double largest = 0;
  for (size_t i = 0; i < plain.size(); ++i) {
    EXPECT_TRUE(torch::allclose(from_section[i], plain[i] * 4)) << i;
    EXPECT_TRUE(torch::equal(from_top[i], from_section[i])) << i;
    largest = std::max(largest, plain[i].abs().max().item<double>());
  }
  EXPECT_GT(largest, 0.0);  // the comparison is not between zeros
}

TEST(ConfigAlgorithmKeys, TopLevelLrMultiplierScalesQuantizerGradients) {
  auto input_range_gradient = [](const QuantizationConfig& config) {
    testing::QuantTinyBert m(1);
    auto c = build_quantization_on_graph(config, m.graph, {});
    testing::initialise_ranges(*c, m, 5);
    torch::manual_seed(6);
    m.forward(torch::randint(0, m.vocab, {4, 6})).pow(2).sum().backward();
    return testing::entry(*c, "classifier.input_quantizer").quantizer->input_range.grad().clone();
  };
  const Json section = Json::parse(R"({"algorithm": "quantization", "preset": "mixed",
                                       "initializer": {"range": {"num_init_samples": 4}}})");
  const torch::Tensor plain = input_range_gradient(*wrapped(section, std::nullopt).quantization);
  const torch::Tensor tripled = input_range_gradient(*wrapped(section, 3.0).quantization);
  ASSERT_GT(plain.abs().max().item<double>(), 0.0);
  EXPECT_TRUE(torch::allclose(tripled, plain * 3));
}

TEST(ConfigAlgorithmKeys, MovementScopesThatMatchNothingAreAllowedWithoutValidation) {
  Json section = Json::parse(kMovementSection);
  section["ignored_scopes"].push_back("{re}.*no_such_layer.*");
  testing::TinyBertGraph g(1);
  try {
    build_movement_sparsity(*wrapped(section, std::nullopt).movement_sparsity, g.graph, options_for(g));
    FAIL() << "a scope that matches nothing was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_layer"), std::string::npos) << e.what();
  }
  section["validate_scopes"] = false;
  testing::TinyBertGraph h(1);
  auto c = build_movement_sparsity(*wrapped(section, std::nullopt).movement_sparsity, h.graph, options_for(h));
  EXPECT_EQ(c->layers().size(), 6u);  // the encoder layer's six Linears; pooler and classifier ignored
}

}  // namespace
}  // namespace jpqd::compression
