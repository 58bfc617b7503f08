#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "compression/config/compression_config.h"
#include "config_test_support.h"

namespace jpqd::compression {
namespace {

const char* kMovement = R"({"algorithm":"movement_sparsity",
  "params":{"warmup_start_epoch":1,"warmup_end_epoch":2,"importance_regularization_factor":0.05}})";
const char* kQuantization = R"({"algorithm":"quantization"})";

std::string config_path(const std::string& name) { return std::string(JPQD_SOURCE_DIR) + "/configs/" + name; }

void expect_compression_error(const Json& json, std::initializer_list<std::string> fragments) {
  testing::expect_parse_error<CompressionConfig>(json, "c.json", fragments);
}

TEST(ConfigCompression, SingleAlgorithmObject) {
  const auto c = CompressionConfig::parse(Json::parse(kMovement), "c.json");
  EXPECT_TRUE(c.movement_sparsity.has_value());
  EXPECT_FALSE(c.quantization.has_value());
  EXPECT_FALSE(c.empty());
  EXPECT_EQ(c.original, Json::parse(kMovement));
}

TEST(ConfigCompression, ListOfAlgorithms) {
  Json j = Json::array({Json::parse(kMovement), Json::parse(kQuantization)});
  const auto c = CompressionConfig::parse(j, "c.json");
  EXPECT_TRUE(c.movement_sparsity.has_value());
  EXPECT_TRUE(c.quantization.has_value());
}

TEST(ConfigCompression, EmptyListIsAnEmptyConfig) {
  EXPECT_TRUE(CompressionConfig::parse(Json::array(), "c.json").empty());
}

TEST(ConfigCompression, OvConfigWrapper) {
  Json j = {{"compression", Json::array({Json::parse(kMovement)})},
            {"input_info", Json::parse(R"([{"sample_size":[32,128],"type":"long","keyword":"input_ids"}])")},
            {"save_onnx_model", false},
            {"optimum_version", "1.6.0"},
            {"transformers_version", "4.26.0"},
            {"target_device", "ANY"}};
  const auto c = CompressionConfig::parse(j, "c.json");
  EXPECT_TRUE(c.movement_sparsity.has_value());
  // "compression" may also hold a single algorithm object.
  j["compression"] = Json::parse(kMovement);
  EXPECT_TRUE(CompressionConfig::parse(j, "c.json").movement_sparsity.has_value());
}

TEST(ConfigCompression, OvConfigWrapperRejectsUnknownKeysAndBadValues) {
  Json j = {{"compression", Json::parse(kMovement)}, {"input_infos", Json::array()}};
  expect_compression_error(j, {"c.json", "unknown key \"input_infos\""});
  j = {{"compression", Json::parse(kMovement)}, {"target_device", "GPU"}};
  expect_compression_error(j, {"c.json.target_device", "GPU"});
  j = {{"input_info", Json::array()}};
  expect_compression_error(j, {"c.json", "\"compression\""});
}

// NNCF's top level takes compression_lr_multiplier for every algorithm; an algorithm's own value wins
// (NNCFConfig.get_redefinable_global_param_value_for_algo). validate_scopes is read per algorithm only.
TEST(ConfigCompression, TopLevelLrMultiplierAppliesToAlgorithmsWithoutTheirOwn) {
  Json j = {{"compression", Json::array({Json::parse(kMovement), Json::parse(kQuantization)})},
            {"compression_lr_multiplier", 3.0}};
  auto c = CompressionConfig::parse(j, "c.json");
  EXPECT_EQ(c.movement_sparsity->compression_lr_multiplier, std::optional<double>(3.0));
  EXPECT_EQ(c.quantization->compression_lr_multiplier, std::optional<double>(3.0));
  j["compression"][1]["compression_lr_multiplier"] = 0.5;
  c = CompressionConfig::parse(j, "c.json");
  EXPECT_EQ(c.movement_sparsity->compression_lr_multiplier, std::optional<double>(3.0));
  EXPECT_EQ(c.quantization->compression_lr_multiplier, std::optional<double>(0.5));
  j.erase("compression_lr_multiplier");
  c = CompressionConfig::parse(j, "c.json");
  EXPECT_FALSE(c.movement_sparsity->compression_lr_multiplier.has_value());

  expect_compression_error({{"compression", Json::parse(kMovement)}, {"compression_lr_multiplier", -2}},
                           {"c.json.compression_lr_multiplier", "positive", "-2"});
  expect_compression_error({{"compression", Json::parse(kMovement)}, {"validate_scopes", false}},
                           {"c.json.validate_scopes", "belongs in each algorithm's section"});
}

TEST(ConfigCompression, UnknownAlgorithm) {
  expect_compression_error(Json::parse(R"({"algorithm":"magnitude_sparsity"})"), {"c.json.algorithm", "magnitude_sparsity"});
  expect_compression_error(Json::parse(R"([{"algorithm":"movement_sparsity","params":{"warmup_start_epoch":1,"warmup_end_epoch":2,
      "importance_regularization_factor":0}}, {"algorithm":"rb_sparsity"}])"),
               {"c.json[1].algorithm", "rb_sparsity"});
}

TEST(ConfigCompression, AlgorithmGivenTwice) {
  expect_compression_error(Json::array({Json::parse(kMovement), Json::parse(kMovement)}),
               {"c.json[1].algorithm", "movement_sparsity", "twice"});
  expect_compression_error(Json::array({Json::parse(kQuantization), Json::parse(kQuantization)}),
               {"c.json[1].algorithm", "quantization", "twice"});
}

TEST(ConfigCompression, NotAnAlgorithm) {
  expect_compression_error(Json(3), {"c.json", "3"});
  expect_compression_error(Json::array({Json("movement_sparsity")}), {"c.json[0]", "algorithm object"});
  expect_compression_error(Json::array({Json::object()}), {"c.json[0]", "algorithm"});
}

TEST(ConfigCompression, ErrorsInsideAnAlgorithmCarryTheListPath) {
  Json j = Json::array({Json::parse(kQuantization), Json::parse(kMovement)});
  j[1]["params"]["power"] = -1;
  expect_compression_error(j, {"c.json[1].params.power", "-1"});
}

TEST(ConfigCompression, PublishedGlueConfigLoadsUnchanged) {
  const auto c = CompressionConfig::from_file(config_path("bert-base-jpqd.json"));
  ASSERT_TRUE(c.movement_sparsity.has_value());
  ASSERT_TRUE(c.quantization.has_value());
  const auto& m = *c.movement_sparsity;
  EXPECT_EQ(m.warmup_start_epoch, 1);
  EXPECT_EQ(m.warmup_end_epoch, 2);
  EXPECT_DOUBLE_EQ(m.importance_regularization_factor, 0.05);
  EXPECT_TRUE(m.enable_structured_masking);
  ASSERT_EQ(m.sparse_structure_by_scopes.size(), 3u);
  EXPECT_EQ(m.sparse_structure_by_scopes[0].mode, SparseStructureMode::kBlock);
  EXPECT_EQ(m.sparse_structure_by_scopes[0].block_rows, 32);
  EXPECT_EQ(m.sparse_structure_by_scopes[0].block_cols, 32);
  EXPECT_EQ(m.sparse_structure_by_scopes[1].mode, SparseStructureMode::kPerDim);
  EXPECT_EQ(m.sparse_structure_by_scopes[1].axis, 0);
  EXPECT_EQ(m.sparse_structure_by_scopes[2].axis, 1);
  EXPECT_EQ(m.ignored_scopes, (std::vector<std::string>{"{re}.*NNCFEmbedding.*", "{re}.*LayerNorm.*",
                                                         "{re}.*pooler.*", "{re}.*classifier.*"}));
}

// The blog's JPQD config is Optimum's final one with the blog's warm-up (epochs 1 to 4) and lambda 0.01.
TEST(ConfigCompression, BlogConfigDiffersFromOptimumsOnlyInWarmupAndLambda) {
  Json blog = read_json_file(config_path("bert-base-jpqd-blog.json"));
  Json optimum = read_json_file(config_path("bert-base-jpqd.json"));
  ASSERT_TRUE(blog.is_array() && blog.size() == 2 && blog[0]["algorithm"] == "movement_sparsity");
  EXPECT_EQ(blog[0]["params"]["warmup_start_epoch"], 1);
  EXPECT_EQ(blog[0]["params"]["warmup_end_epoch"], 4);
  EXPECT_DOUBLE_EQ(blog[0]["params"]["importance_regularization_factor"].get<double>(), 0.01);
  EXPECT_EQ(optimum[0]["params"]["warmup_end_epoch"], 2);
  EXPECT_DOUBLE_EQ(optimum[0]["params"]["importance_regularization_factor"].get<double>(), 0.05);
  for (Json* j : {&blog, &optimum}) {
    (*j)[0]["params"].erase("warmup_end_epoch");
    (*j)[0]["params"].erase("importance_regularization_factor");
  }
  EXPECT_EQ(blog, optimum);
  const auto c = CompressionConfig::from_file(config_path("bert-base-jpqd-blog.json"));
  ASSERT_TRUE(c.movement_sparsity.has_value() && c.quantization.has_value());
  EXPECT_EQ(c.movement_sparsity->warmup_end_epoch, 4);
  EXPECT_DOUBLE_EQ(c.movement_sparsity->importance_regularization_factor, 0.01);
}

TEST(ConfigCompression, PublishedSquadConfigLoadsUnchanged) {
  const auto c = CompressionConfig::from_file(config_path("bert-base-squad-jpqd.json"));
  ASSERT_TRUE(c.movement_sparsity.has_value());
  ASSERT_TRUE(c.quantization.has_value());
  EXPECT_EQ(c.movement_sparsity->warmup_end_epoch, 4);
  EXPECT_DOUBLE_EQ(c.movement_sparsity->importance_regularization_factor, 0.02);
  EXPECT_EQ(c.movement_sparsity->ignored_scopes,
            (std::vector<std::string>{"{re}.*NNCFEmbedding.*", "{re}.*qa_outputs.*", "{re}.*LayerNorm.*"}));
}

TEST(ConfigCompression, ShippedMovementOnlyQatAndSmokeConfigsLoad) {
  const auto movement = CompressionConfig::from_file(config_path("bert-base-movement-sparsity.json"));
  ASSERT_TRUE(movement.movement_sparsity.has_value());
  EXPECT_FALSE(movement.quantization.has_value());
  EXPECT_EQ(movement.movement_sparsity->warmup_start_epoch, 1);
  EXPECT_EQ(movement.movement_sparsity->warmup_end_epoch, 4);
  EXPECT_DOUBLE_EQ(movement.movement_sparsity->importance_regularization_factor, 0.01);

  const auto qat = CompressionConfig::from_file(config_path("bert-base-qat.json"));
  EXPECT_FALSE(qat.movement_sparsity.has_value());
  EXPECT_TRUE(qat.quantization.has_value());

  const auto smoke = CompressionConfig::from_file(config_path("tiny-smoke-jpqd.json"));
  ASSERT_TRUE(smoke.movement_sparsity.has_value());
  EXPECT_EQ(smoke.movement_sparsity->sparse_structure_by_scopes[0].block_rows, 8);
  EXPECT_TRUE(smoke.quantization.has_value());
}

TEST(ConfigCompression, MissingFileIsAnIoError) {
  EXPECT_THROW(CompressionConfig::from_file(config_path("no-such-config.json")), IoError);
}

}  // namespace
}  // namespace jpqd::compression
