#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "compression/config/compression_config.h"
#include "compression/config/quantization_config.h"
#include "config_test_support.h"

namespace jpqd::compression {
namespace {

Json parse(const std::string& text) { return Json::parse(text); }

void expect_quantization_error(const Json& json, std::initializer_list<std::string> fragments) {
  testing::expect_parse_error<QuantizationConfig>(json, "cfg", fragments);
}

Json with(const std::string& key, const Json& value) {
  Json j = parse(R"({"algorithm": "quantization"})");
  j[key] = value;
  return j;
}

TEST(ConfigQuantization, SeedMinimalFormAndNncfDefaults) {
  const auto c = QuantizationConfig::parse(
      parse(R"({"algorithm": "quantization", "weights": {"mode": "symmetric"}, "activations": {"mode": "symmetric"}})"),
      "cfg");
  EXPECT_EQ(c.preset, "performance");
  EXPECT_EQ(c.overflow_fix, OverflowFix::kEnable);
  EXPECT_EQ(c.num_init_samples, 256);
  // NNCF's RangeInitConfig.from_dict: a missing type is mixed_min_max.
  EXPECT_EQ(c.range_init_type, RangeInitType::kMixedMinMax);
  EXPECT_DOUBLE_EQ(c.min_percentile, 0.1);
  EXPECT_DOUBLE_EQ(c.max_percentile, 99.9);
  const QuantizerSpec w = c.weight_spec(), a = c.activation_spec();
  EXPECT_EQ(w.mode, QuantizationMode::kSymmetric);
  EXPECT_TRUE(w.per_channel);
  EXPECT_EQ(w.is_signed, std::optional<bool>(true));
  EXPECT_EQ(w.bits, 8);
  EXPECT_EQ(a.mode, QuantizationMode::kSymmetric);
  EXPECT_FALSE(a.per_channel);
  EXPECT_FALSE(a.is_signed.has_value());
}

TEST(ConfigQuantization, PresetsAndExplicitValuesOverrideThem) {
  auto mixed = QuantizationConfig::parse(with("preset", "mixed"), "cfg");
  EXPECT_EQ(mixed.weight_spec().mode, QuantizationMode::kSymmetric);
  EXPECT_EQ(mixed.activation_spec().mode, QuantizationMode::kAsymmetric);
  auto perf = QuantizationConfig::parse(with("preset", "performance"), "cfg");
  EXPECT_EQ(perf.activation_spec().mode, QuantizationMode::kSymmetric);
  Json j = with("preset", "mixed");
  j["activations"] = parse(R"({"mode": "symmetric", "signed": true})");
  j["weights"] = parse(R"({"per_channel": false, "bits": 8})");
  auto c = QuantizationConfig::parse(j, "cfg");
  EXPECT_EQ(c.activation_spec().mode, QuantizationMode::kSymmetric);
  EXPECT_EQ(c.activation_spec().is_signed, std::optional<bool>(true));
  EXPECT_FALSE(c.weight_spec().per_channel);
}

TEST(ConfigQuantization, PublishedJpqdConfigLoadsUnchanged) {
  const auto all = CompressionConfig::from_file(std::string(JPQD_SOURCE_DIR) + "/configs/bert-base-jpqd.json");
  ASSERT_TRUE(all.quantization.has_value());
  const QuantizationConfig& c = *all.quantization;
  EXPECT_EQ(c.preset, "mixed");
  EXPECT_EQ(c.overflow_fix, OverflowFix::kEnable);
  EXPECT_EQ(c.num_init_samples, 32);
  EXPECT_EQ(c.range_init_type, RangeInitType::kPercentile);
  EXPECT_DOUBLE_EQ(c.min_percentile, 0.01);
  EXPECT_DOUBLE_EQ(c.max_percentile, 99.99);
  EXPECT_EQ(c.num_bn_adaptation_samples, std::optional<int64_t>(200));
  ASSERT_EQ(c.activation_overrides.size(), 1u);
  EXPECT_EQ(c.activation_overrides[0].first, "{re}.*matmul_0");
  EXPECT_EQ(c.activation_overrides[0].second.mode, std::optional<QuantizationMode>(QuantizationMode::kSymmetric));
  EXPECT_EQ(c.ignored_scopes, (std::vector<std::string>{"{re}.*__add___[0-1]", "{re}.*layer_norm_0"}));
  const auto qat = CompressionConfig::from_file(std::string(JPQD_SOURCE_DIR) + "/configs/bert-base-qat.json");
  EXPECT_TRUE(qat.quantization.has_value());
}

TEST(ConfigQuantization, AcceptsNncfKeysThatDoNotChangeBert) {
  Json j = with("export_to_onnx_standard_ops", true);
  j["quantize_inputs"] = true;
  j["quantize_outputs"] = false;
  j["compression_lr_multiplier"] = 2.0;
  j["validate_scopes"] = false;
  j["overflow_fix"] = "first_layer_only";
  auto c = QuantizationConfig::parse(j, "cfg");
  EXPECT_EQ(c.compression_lr_multiplier, std::optional<double>(2.0));
  EXPECT_FALSE(c.validate_scopes);
  EXPECT_EQ(c.overflow_fix, OverflowFix::kFirstLayerOnly);
  EXPECT_EQ(QuantizationConfig::parse(with("overflow_fix", "disable"), "cfg").overflow_fix, OverflowFix::kDisable);
}

TEST(ConfigQuantization, RangeInitTypes) {
  const std::pair<const char*, RangeInitType> types[] = {{"mixed_min_max", RangeInitType::kMixedMinMax},
                                                         {"min_max", RangeInitType::kMinMax},
                                                         {"mean_min_max", RangeInitType::kMeanMinMax},
                                                         {"percentile", RangeInitType::kPercentile}};
  for (const auto& [name, type] : types) {
    Json j = with("initializer", Json::object());
    j["initializer"]["range"] = {{"type", name}, {"num_init_samples", 8}};
    const auto c = QuantizationConfig::parse(j, "cfg");
    EXPECT_EQ(c.range_init_type, type) << name;
    EXPECT_STREQ(to_string(c.range_init_type), name);
  }
  // A range object without a type is still mixed_min_max.
  const auto c = QuantizationConfig::parse(with("initializer", parse(R"({"range": {"num_init_samples": 8}})")), "cfg");
  EXPECT_EQ(c.range_init_type, RangeInitType::kMixedMinMax);
  EXPECT_EQ(c.num_init_samples, 8);
}

// NNCF's QUANTIZATION_SCHEMA takes validate_scopes in the section and in the weights / activations groups
// (SCOPING_PROPERTIES), compression_lr_multiplier in the section only.
TEST(ConfigQuantization, ValidateScopesAndLrMultiplierWhereNncfTakesThem) {
  Json j = with("validate_scopes", false);
  j["weights"] = parse(R"({"validate_scopes": false})");
  j["activations"] = parse(R"({"validate_scopes": true, "ignored_scopes": "{re}.*pooler.*"})");
  const auto c = QuantizationConfig::parse(j, "cfg");
  EXPECT_FALSE(c.validate_scopes);
  EXPECT_EQ(c.weights.validate_scopes, std::optional<bool>(false));
  EXPECT_EQ(c.activations.validate_scopes, std::optional<bool>(true));
  EXPECT_FALSE(c.compression_lr_multiplier.has_value());
  EXPECT_FALSE(QuantizationConfig::parse(with("compression_lr_multiplier", nullptr), "cfg").compression_lr_multiplier);

  expect_quantization_error(with("weights", parse(R"({"compression_lr_multiplier": 2})")),
                            {"cfg.weights.compression_lr_multiplier", "belongs in the quantization section"});
  expect_quantization_error(with("activations", parse(R"({"compression_lr_multiplier": 2})")),
                            {"cfg.activations.compression_lr_multiplier", "belongs in the quantization section"});
  expect_quantization_error(with("initializer", parse(R"({"range": {"compression_lr_multiplier": 2}})")),
                            {"cfg.initializer.range.compression_lr_multiplier", "belongs in the quantization section"});
  expect_quantization_error(with("weights", parse(R"({"validate_scopes": 0})")), {"cfg.weights.validate_scopes", "0"});
  expect_quantization_error(with("compression_lr_multiplier", "2"), {"cfg.compression_lr_multiplier", "\"2\""});
  expect_quantization_error(with("scope_overrides", parse(R"({"weights": {"{re}.*x": {"validate_scopes": false}}})")),
                            {"validate_scopes"});
}

TEST(ConfigQuantization, Errors) {
  expect_quantization_error(with("weights", parse(R"({"bits": 4})")), {"cfg.weights.bits", "4", "only 8-bit"});
  expect_quantization_error(with("scope_overrides", parse(R"({"activations": {"{re}.*x": {"bits": 16}}})")), {"bits", "16"});
  expect_quantization_error(with("activations", parse(R"({"mode": "symetric"})")), {"cfg.activations.mode", "symetric"});
  expect_quantization_error(with("preset", "fast"), {"cfg.preset", "fast"});
  expect_quantization_error(with("overflow_fix", "sometimes"), {"cfg.overflow_fix", "sometimes"});
  expect_quantization_error(with("initializer", parse(R"({"range": {"type": "threesigma"}})")),
               {"cfg.initializer.range.type", "threesigma"});
  expect_quantization_error(with("initializer", parse(R"({"range": {"type": "percentile", "params": {"min_percentile": 50, "max_percentile": 10}}})")),
               {"percentiles", "50", "10"});
  expect_quantization_error(with("initializer", parse(R"({"range": {"type": "percentile", "params": {"max_percentile": 101}}})")),
               {"max_percentile", "101"});
  expect_quantization_error(with("initializer", parse(R"({"range": {"type": "percentile", "params": {"min_percentile": -1}}})")),
               {"min_percentile", "-1"});
  expect_quantization_error(with("initializer", parse(R"({"range": {"type": "min_max", "params": {"min_percentile": 1}}})")),
               {"cfg.initializer.range.params", "percentile"});
  expect_quantization_error(with("initializer", parse(R"({"range": {"num_init_samples": -3}})")), {"num_init_samples", "-3"});
  expect_quantization_error(with("initializer", parse(R"({"range": [{"num_init_samples": 3}]})")), {"cfg.initializer.range", "list"});
  expect_quantization_error(with("initializer", parse(R"({"precision": {}})")), {"cfg.initializer", "precision"});
  expect_quantization_error(with("weigths", parse("{}")), {"unknown key \"weigths\""});
  expect_quantization_error(with("weights", parse(R"({"granularity": 1})")), {"cfg.weights", "granularity"});
  expect_quantization_error(with("activations", parse(R"({"per_channel": true})")), {"cfg.activations.per_channel", "per-channel"});
  expect_quantization_error(with("scope_overrides", parse(R"({"biases": {}})")), {"cfg.scope_overrides", "biases"});
  expect_quantization_error(with("scope_overrides", parse(R"({"weights": {"{re}.*x": {"mode": "symmetric", "range": {}}}})")),
               {"range", "not supported"});
  expect_quantization_error(with("scope_overrides", parse(R"({"weights": {"{re}.*x": {"levels": 3}}})")), {"levels"});
  expect_quantization_error(with("scope_overrides", parse(R"({"weights": {"{re}(": {"mode": "symmetric"}}})")), {"regular expression"});
  expect_quantization_error(with("ignored_scopes", parse(R"(["{re}[a"])")), {"cfg.ignored_scopes", "regular expression"});
  expect_quantization_error(with("quantize_outputs", true), {"quantize_outputs"});
  expect_quantization_error(with("weights", parse(R"({"logarithm_scale": true})")), {"logarithm_scale"});
  expect_quantization_error(with("compression_lr_multiplier", -1), {"compression_lr_multiplier"});
  expect_quantization_error(with("algorithm", "pruning"), {"cfg.algorithm", "pruning"});
}

}  // namespace
}  // namespace jpqd::compression
