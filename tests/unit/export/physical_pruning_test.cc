// Physical pruning is exact: a model whose masks remove whole heads and FFN neurons gives the same logits
// as the smaller model that no longer has them (per-layer head counts, zero heads included).
#include <gtest/gtest.h>

#include "compression/build_controller.h"
#include "compression/sparsity/movement/kept_units.h"
#include "export/physical_pruner.h"
#include "export/pruning_plan.h"
#include "tiny_head_dim_4_bert.h"

namespace jpqd::exporter {
namespace {

// float32 forward of the same arithmetic minus some zero terms: only summation order differs.
constexpr double kMaxPrunedLogitAbsDiff = 1e-4;

model::BertConfig pruning_config() { return testing::tiny_head_dim_4_config(3); }

const char* kMovementConfig = R"({"algorithm": "movement_sparsity",
  "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 2, "importance_regularization_factor": 0.1},
  "sparse_structure_by_scopes": [
    {"mode": "block", "sparse_factors": [4, 4], "target_scopes": "{re}.*BertAttention.*"},
    {"mode": "per_dim", "axis": 0, "target_scopes": "{re}.*BertIntermediate.*"},
    {"mode": "per_dim", "axis": 1, "target_scopes": "{re}.*BertOutput.*"}],
  "ignored_scopes": ["{re}.*pooler.*", "{re}.*classifier.*"]})";

// Masks as structured masking leaves them: whole heads and whole neurons.
void mask_structurally(model::BertImpl& model, const std::vector<std::vector<int64_t>>& heads,
                       const std::vector<std::vector<int64_t>>& neurons) {
  compression::set_kept_units(model.graph(), model.config().head_dim(), heads, neurons);
}

void load(model::BertImpl& model, const std::map<std::string, torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  for (auto& p : model.named_parameters(true)) {
    auto it = tensors.find(p.key());
    ASSERT_NE(it, tensors.end()) << p.key();
    ASSERT_EQ(p.value().sizes(), it->second.sizes()) << p.key();
    p.value().copy_(it->second);
  }
}

TEST(PhysicalPruning, RemovedHeadsAndNeuronsDoNotChangeTheLogits) {
  torch::manual_seed(1);
  model::Bert masked(pruning_config(), model::TaskHead::kSequenceClassification);
  auto controller = compression::build_controller(
      compression::CompressionConfig::parse(Json::parse(kMovementConfig), "test"), *masked, {});
  const std::vector<std::vector<int64_t>> heads = {{1, 3}, {}};
  const std::vector<std::vector<int64_t>> neurons = {{0, 5, 7}, {0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11}};
  mask_structurally(*masked, heads, neurons);
  masked->eval();

  const PruningPlan plan = make_pruning_plan(*masked, /*structured=*/true);
  ASSERT_EQ(plan.layers.size(), 2u);
  EXPECT_EQ(plan.layers[0].kept_heads, heads[0]);
  EXPECT_EQ(plan.layers[1].kept_heads, heads[1]);
  EXPECT_EQ(plan.layers[0].kept_neurons, neurons[0]);
  EXPECT_EQ(plan.layers[1].kept_neurons, neurons[1]);

  const PrunedState pruned = prune_physically(masked->config(), masked_state_dict(*masked), plan);
  EXPECT_EQ(pruned.config.heads_per_layer, (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(pruned.config.intermediate_per_layer, (std::vector<int64_t>{3, 11}));
  EXPECT_EQ(pruned.tensors.at("bert.encoder.layer.0.attention.self.query.weight").sizes(),
            (std::vector<int64_t>{8, 16}));
  EXPECT_EQ(pruned.tensors.at("bert.encoder.layer.1.attention.output.dense.weight").sizes(),
            (std::vector<int64_t>{16, 0}));
  EXPECT_EQ(pruned.tensors.at("bert.encoder.layer.0.output.dense.weight").sizes(), (std::vector<int64_t>{16, 3}));

  model::Bert small(pruned.config, model::TaskHead::kSequenceClassification);
  load(*small, pruned.tensors);
  small->eval();

  model::BertInputs in;
  in.input_ids = torch::randint(5, 50, {3, 9});
  in.attention_mask = torch::ones({3, 9}, torch::kInt64);
  in.token_type_ids = torch::zeros({3, 9}, torch::kInt64);
  in.attention_mask.index_put_({2, torch::indexing::Slice(5, torch::indexing::None)}, 0);
  torch::NoGradGuard no_grad;
  const auto want = masked->forward(in).logits;
  const auto got = small->forward(in).logits;
  EXPECT_LT((want - got).abs().max().item<double>(), kMaxPrunedLogitAbsDiff);
  EXPECT_GT(want.abs().max().item<double>(), 1e-3);  // the comparison is not between two zero tensors
}

TEST(PhysicalPruning, UnstructuredRunsAreExportedDense) {
  torch::manual_seed(2);
  model::Bert masked(pruning_config(), model::TaskHead::kSequenceClassification);
  auto controller = compression::build_controller(
      compression::CompressionConfig::parse(Json::parse(kMovementConfig), "test"), *masked, {});
  mask_structurally(*masked, {{0}, {1}}, {{0}, {1}});
  const PruningPlan plan = make_pruning_plan(*masked, /*structured=*/false);
  EXPECT_FALSE(plan.structured);
  EXPECT_EQ(plan.layers[1].kept_heads.size(), 4u);
  const PrunedState pruned = prune_physically(masked->config(), masked_state_dict(*masked), plan);
  EXPECT_TRUE(pruned.config.heads_per_layer.empty());
  // The masks are still folded into the weights.
  const auto q = pruned.tensors.at("bert.encoder.layer.0.attention.self.query.weight");
  EXPECT_EQ(q.sizes(), (std::vector<int64_t>{16, 16}));
  EXPECT_EQ(q.slice(0, 4, 16).abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace jpqd::exporter
