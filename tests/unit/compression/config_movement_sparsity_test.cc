#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "compression/config/movement_sparsity_config.h"
#include "config_test_support.h"

namespace jpqd::compression {
namespace {

Json base() {
  return Json::parse(R"({"algorithm":"movement_sparsity",
    "params":{"warmup_start_epoch":1,"warmup_end_epoch":2,"importance_regularization_factor":0.05}})");
}

// Expects InvalidArgument whose message contains every fragment.
void expect_movement_error(const Json& json, std::initializer_list<std::string> fragments) {
  testing::expect_parse_error<MovementSparsityConfig>(json, "cfg", fragments);
}

TEST(ConfigMovementSparsity, DefaultsOfSection1_1) {
  const auto c = MovementSparsityConfig::parse(base(), "cfg");
  EXPECT_EQ(c.warmup_start_epoch, 1);
  EXPECT_EQ(c.warmup_end_epoch, 2);
  EXPECT_DOUBLE_EQ(c.importance_regularization_factor, 0.05);
  EXPECT_TRUE(c.enable_structured_masking);
  EXPECT_FALSE(c.init_importance_threshold.has_value());
  EXPECT_DOUBLE_EQ(c.final_importance_threshold, 0.0);
  EXPECT_DOUBLE_EQ(c.power, 3.0);
  EXPECT_FALSE(c.steps_per_epoch.has_value());
  EXPECT_TRUE(c.sparse_structure_by_scopes.empty());
  EXPECT_TRUE(c.ignored_scopes.empty());
  EXPECT_TRUE(c.target_scopes.empty());
  EXPECT_TRUE(c.validate_scopes);
  EXPECT_FALSE(c.compression_lr_multiplier.has_value());
}

// NNCF's MOVEMENT_SPARSITY_SCHEMA takes both keys in the section (SCOPING_PROPERTIES,
// COMPRESSION_LR_MULTIPLIER_PROPERTY), not in "params", which forbids additional properties.
TEST(ConfigMovementSparsity, ValidateScopesAndLrMultiplierBelongToTheSection) {
  Json j = base();
  j["validate_scopes"] = false;
  j["compression_lr_multiplier"] = 2.5;
  const auto c = MovementSparsityConfig::parse(j, "cfg");
  EXPECT_FALSE(c.validate_scopes);
  EXPECT_EQ(c.compression_lr_multiplier, std::optional<double>(2.5));
  j["compression_lr_multiplier"] = nullptr;  // NNCF's "unspecified"
  EXPECT_FALSE(MovementSparsityConfig::parse(j, "cfg").compression_lr_multiplier.has_value());
  for (const char* key : {"compression_lr_multiplier", "validate_scopes"}) {
    Json misplaced = base();
    misplaced["params"][key] = key == std::string("validate_scopes") ? Json(false) : Json(2.0);
    expect_movement_error(misplaced, {str_cat("cfg.params.", key), "belongs in the movement_sparsity section"});
  }
  j = base();
  j["compression_lr_multiplier"] = 0;
  expect_movement_error(j, {"cfg.compression_lr_multiplier", "positive", "0"});
  j["compression_lr_multiplier"] = "fast";
  expect_movement_error(j, {"cfg.compression_lr_multiplier", "\"fast\""});
  j = base();
  j["validate_scopes"] = "no";
  expect_movement_error(j, {"cfg.validate_scopes", "\"no\""});
}

TEST(ConfigMovementSparsity, AllParamsAndStructures) {
  Json j = base();
  j["params"] = Json::parse(R"({"warmup_start_epoch":0,"warmup_end_epoch":3,"importance_regularization_factor":0,
    "enable_structured_masking":false,"init_importance_threshold":-0.5,"final_importance_threshold":0.25,
    "power":2,"steps_per_epoch":7})");
  j["sparse_structure_by_scopes"] = Json::parse(R"([
    {"mode":"block","sparse_factors":[32,16],"target_scopes":"{re}.*BertAttention.*"},
    {"mode":"per_dim","axis":1,"target_scopes":["{re}.*BertOutput.*","exact/scope"]},
    {"mode":"fine","sparse_factors":[1,1],"target_scopes":"x"},
    {"target_scopes":"y"}])");
  j["ignored_scopes"] = "{re}.*pooler.*";
  j["target_scopes"] = Json::array({"{re}.*encoder.*"});
  const auto c = MovementSparsityConfig::parse(j, "cfg");
  EXPECT_EQ(c.warmup_start_epoch, 0);
  EXPECT_FALSE(c.enable_structured_masking);
  EXPECT_DOUBLE_EQ(*c.init_importance_threshold, -0.5);
  EXPECT_DOUBLE_EQ(c.final_importance_threshold, 0.25);
  EXPECT_DOUBLE_EQ(c.power, 2.0);
  EXPECT_EQ(*c.steps_per_epoch, 7);
  ASSERT_EQ(c.sparse_structure_by_scopes.size(), 4u);
  EXPECT_EQ(c.sparse_structure_by_scopes[0].mode, SparseStructureMode::kBlock);
  EXPECT_EQ(c.sparse_structure_by_scopes[0].block_rows, 32);
  EXPECT_EQ(c.sparse_structure_by_scopes[0].block_cols, 16);
  EXPECT_EQ(c.sparse_structure_by_scopes[0].target_scopes, std::vector<std::string>{"{re}.*BertAttention.*"});
  EXPECT_EQ(c.sparse_structure_by_scopes[1].mode, SparseStructureMode::kPerDim);
  EXPECT_EQ(c.sparse_structure_by_scopes[1].axis, 1);
  EXPECT_EQ(c.sparse_structure_by_scopes[1].target_scopes.size(), 2u);
  EXPECT_EQ(c.sparse_structure_by_scopes[2].mode, SparseStructureMode::kFine);
  EXPECT_EQ(c.sparse_structure_by_scopes[3].mode, SparseStructureMode::kFine);  // NNCF's default mode
  EXPECT_EQ(c.ignored_scopes, std::vector<std::string>{"{re}.*pooler.*"});
  EXPECT_EQ(c.target_scopes, std::vector<std::string>{"{re}.*encoder.*"});
}

TEST(ConfigMovementSparsity, RequiredParams) {
  for (const char* key : {"warmup_start_epoch", "warmup_end_epoch", "importance_regularization_factor"}) {
    Json j = base();
    j["params"].erase(key);
    expect_movement_error(j, {"cfg.params", key});
  }
  Json j = base();
  j.erase("params");
  expect_movement_error(j, {"cfg", "params"});
}

TEST(ConfigMovementSparsity, WarmupStartMustBeAtLeastOneWithoutStepsPerEpoch) {
  Json j = base();
  j["params"]["warmup_start_epoch"] = 0;
  expect_movement_error(j, {"cfg.params.warmup_start_epoch", "steps_per_epoch", "0"});
  j["params"]["steps_per_epoch"] = 10;
  EXPECT_NO_THROW(MovementSparsityConfig::parse(j, "cfg"));
}

TEST(ConfigMovementSparsity, WarmupOrder) {
  Json j = base();
  j["params"]["warmup_end_epoch"] = 1;
  expect_movement_error(j, {"warmup_start_epoch < warmup_end_epoch", "warmup_end_epoch 1"});
  j = base();
  j["params"]["warmup_start_epoch"] = -1;
  j["params"]["steps_per_epoch"] = 3;
  expect_movement_error(j, {"0 <= warmup_start_epoch", "-1"});
}

TEST(ConfigMovementSparsity, ValueRules) {
  Json j = base();
  j["params"]["importance_regularization_factor"] = -0.1;
  expect_movement_error(j, {"importance_regularization_factor", "-0.1"});
  j = base();
  j["params"]["power"] = 0;
  expect_movement_error(j, {"cfg.params.power", "> 0"});
  j = base();
  j["params"]["steps_per_epoch"] = 0;
  expect_movement_error(j, {"cfg.params.steps_per_epoch", ">= 1"});
  j = base();
  j["params"]["warmup_end_epoch"] = 2.5;
  expect_movement_error(j, {"cfg.params.warmup_end_epoch", "integer", "2.5"});
  j = base();
  j["params"]["enable_structured_masking"] = "yes";
  expect_movement_error(j, {"enable_structured_masking", "\"yes\""});
}

TEST(ConfigMovementSparsity, MisspelledKeysAreRejectedWithTheirPath) {
  Json j = base();
  j["params"]["warmup_end_epochs"] = 3;
  expect_movement_error(j, {"cfg.params", "unknown key \"warmup_end_epochs\""});
  j = base();
  j["ignore_scopes"] = Json::array();
  expect_movement_error(j, {"cfg", "unknown key \"ignore_scopes\""});
  j = base();
  j["sparse_structure_by_scopes"] = Json::parse(R"([{"mode":"block","sparse_factor":[2,2],"target_scopes":"x"}])");
  expect_movement_error(j, {"cfg.sparse_structure_by_scopes[0]", "unknown key \"sparse_factor\""});
}

TEST(ConfigMovementSparsity, SparseStructureRules) {
  auto with = [](const char* entry) {
    Json j = base();
    j["sparse_structure_by_scopes"] = Json::array({Json::parse(entry)});
    return j;
  };
  expect_movement_error(with(R"({"mode":"fine","sparse_factors":[2,2],"target_scopes":"x"})"),
               {"sparse_structure_by_scopes[0].sparse_factors", "fine", "[2,2]"});
  expect_movement_error(with(R"({"mode":"fine","axis":0,"target_scopes":"x"})"), {"[0].axis", "fine"});
  expect_movement_error(with(R"({"mode":"block","target_scopes":"x"})"), {"[0]", "requires \"sparse_factors\""});
  expect_movement_error(with(R"({"mode":"block","sparse_factors":[2],"target_scopes":"x"})"), {"[0].sparse_factors", "[2]"});
  expect_movement_error(with(R"({"mode":"block","sparse_factors":[2,0],"target_scopes":"x"})"), {"[0].sparse_factors", "positive"});
  expect_movement_error(with(R"({"mode":"block","sparse_factors":[2,2],"axis":1,"target_scopes":"x"})"), {"[0].axis", "block"});
  expect_movement_error(with(R"({"mode":"per_dim","target_scopes":"x"})"), {"[0]", "requires \"axis\""});
  expect_movement_error(with(R"({"mode":"per_dim","axis":2,"target_scopes":"x"})"), {"[0].axis", "0 or 1", "2"});
  expect_movement_error(with(R"({"mode":"per_dim","axis":0,"sparse_factors":[1,4],"target_scopes":"x"})"),
               {"[0].sparse_factors", "per_dim", "[1,4]"});
  expect_movement_error(with(R"({"mode":"rows","target_scopes":"x"})"), {"[0].mode", "\"rows\""});
  expect_movement_error(with(R"({"mode":"fine"})"), {"[0]", "target_scopes"});
  expect_movement_error(with(R"({"mode":"fine","target_scopes":[]})"), {"[0].target_scopes", "empty"});
  expect_movement_error(with(R"({"mode":"fine","target_scopes":[3]})"), {"[0].target_scopes[0]", "3"});
  expect_movement_error(with(R"({"mode":"fine","target_scopes":"{re}(unclosed"})"),
               {"[0].target_scopes", "{re}(unclosed", "regular expression"});
}

TEST(ConfigMovementSparsity, AlgorithmNameMustMatch) {
  Json j = base();
  j["algorithm"] = "magnitude_sparsity";
  expect_movement_error(j, {"cfg.algorithm", "magnitude_sparsity"});
}

}  // namespace
}  // namespace jpqd::compression
