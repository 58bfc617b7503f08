#include "compression/sparsity/movement/build_movement_sparsity.h"

#include <map>
#include <optional>

#include "common/error.h"
#include "common/logging.h"
#include "compression/config/scopes.h"

namespace jpqd::compression {

namespace {

using model::NodeRole;

const char* kMovement = "movement_sparsity";

void check_scopes(const MovementSparsityConfig& c, const model::ModelGraph& graph) {
  require_scopes_match(c.target_scopes, graph, str_cat(kMovement, ".target_scopes"));
  require_scopes_match(c.ignored_scopes, graph, str_cat(kMovement, ".ignored_scopes"));
  for (size_t i = 0; i < c.sparse_structure_by_scopes.size(); ++i)
    require_scopes_match(c.sparse_structure_by_scopes[i].target_scopes, graph,
                         str_cat(kMovement, ".sparse_structure_by_scopes[", i, "].target_scopes"));
}

// The sparse_structure_by_scopes entry for a layer; fine when none matches.
SparseStructureEntry structure_for(const MovementSparsityConfig& c, const model::ModelNode& node) {
  SparseStructureEntry chosen;
  int matched = -1;
  for (size_t i = 0; i < c.sparse_structure_by_scopes.size(); ++i) {
    if (!any_scope_matches(c.sparse_structure_by_scopes[i].target_scopes, node.scope)) continue;
    JPQD_CHECK(matched < 0, InvalidArgument, kMovement, ".sparse_structure_by_scopes: layer ", node.name, " (\"",
               node.scope, "\") is matched by entries [", matched, "] and [", i, "]; a layer may match only one");
    matched = static_cast<int>(i);
    chosen = c.sparse_structure_by_scopes[i];
  }
  return chosen;
}

struct Rule {
  bool by_row;
  bool attention;
};

std::optional<Rule> rule_for(NodeRole role) {
  switch (role) {
    case NodeRole::kQuery:
    case NodeRole::kKey:
    case NodeRole::kValue: return Rule{true, true};
    case NodeRole::kAttentionOutput: return Rule{false, true};
    case NodeRole::kIntermediate: return Rule{true, false};
    case NodeRole::kOutput: return Rule{false, false};
    default: return std::nullopt;
  }
}

// MHSA and FF groups per encoder layer from the node roles (docs/algorithms.md 2). A group with a member
// that is not sparsified, or whose per_dim axis runs across the pruning direction, is dropped.
std::vector<StructuredGroup> make_groups(const model::ModelGraph& graph, const std::vector<SparsifiedLayer>& layers,
                                         int64_t head_dim) {
  std::map<const model::CompressibleLinearImpl*, const SparsifiedLayer*> by_linear;
  for (const auto& l : layers) by_linear[l.linear] = &l;
  // (layer, 0 = attention / 1 = FFN) -> nodes in graph order; NNCF numbers the blocks in this order.
  std::map<std::pair<int, int>, std::vector<const model::ModelNode*>> blocks;
  for (const auto& node : graph) {
    if (node.kind != model::NodeKind::kLinear || node.layer_index < 0) continue;
    auto rule = rule_for(node.role);
    if (!rule) continue;
    if (rule->attention && head_dim <= 0) continue;
    blocks[{node.layer_index, rule->attention ? 0 : 1}].push_back(&node);
  }
  JPQD_CHECK(!blocks.empty(), InvalidArgument, kMovement,
             ".params.enable_structured_masking: the model has no attention or feed-forward blocks to mask");
  std::vector<StructuredGroup> groups;
  for (const auto& [key, nodes] : blocks) {
    StructuredGroup g;
    g.layer_index = key.first;
    const bool attention = key.second == 0;
    g.type = attention ? "MHSA" : "FF";
    g.id = 2 * static_cast<int64_t>(key.first) + key.second;
    g.block = attention ? head_dim : 1;
    std::string problem;
    for (const auto* node : nodes) {
      const Rule rule = *rule_for(node->role);
      auto it = by_linear.find(node->linear);
      if (it == by_linear.end()) {
        problem = str_cat(node->name, " is not sparsified");
        break;
      }
      const MovementSparsifier& s = *it->second->sparsifier;
      if (s.mode() == SparseStructureMode::kPerDim &&
          ((rule.by_row && s.factors().rows != 1) || (!rule.by_row && s.factors().cols != 1))) {
        problem = str_cat(node->name, " uses per_dim along the other axis than its ", rule.by_row ? "row" : "column",
                          " pruning");
        break;
      }
      StructuredMember m;
      m.name = node->name;
      m.scope = node->scope;
      m.sparsifier = it->second->sparsifier.get();
      m.prune_by_row = rule.by_row;
      m.grid_rows = rule.by_row ? g.block : s.out_features();
      m.grid_cols = rule.by_row ? s.in_features() : g.block;
      const int64_t dim = rule.by_row ? s.out_features() : s.in_features();
      if (dim % g.block != 0) {
        problem = str_cat(node->name, " has ", dim, " units, not a multiple of the head size ", g.block);
        break;
      }
      g.members.push_back(m);
    }
    if (!problem.empty()) {
      log_warning(kMovement, ": structured masking skips the ", g.type, " block of encoder layer ", g.layer_index, ": ",
                  problem);
      continue;
    }
    groups.push_back(std::move(g));
  }
  if (groups.empty())
    log_warning(kMovement, ": structured masking is enabled but no attention or feed-forward block qualifies; only the "
                        "unstructured masks will be frozen");
  return groups;
}

}  // namespace

std::unique_ptr<MovementSparsityController> build_movement_sparsity(const MovementSparsityConfig& config,
                                                                    const model::ModelGraph& graph,
                                                                    const MovementBuildOptions& options) {
  if (config.validate_scopes) check_scopes(config, graph);
  if (options.num_train_epochs > 0) {
    const bool beyond = config.warmup_end_epoch > options.num_train_epochs;
    JPQD_CHECK(!beyond || options.epochs_set_by_max_steps, InvalidArgument, kMovement, ".params.warmup_end_epoch: ",
               config.warmup_end_epoch, " is beyond the ", options.num_train_epochs,
               " training epochs, so the warm-up would never finish");
    if (beyond)
      log_warning(kMovement, ": --max_steps ends training in epoch ", options.num_train_epochs,
                  ", before warmup_end_epoch ", config.warmup_end_epoch,
                  ": the warm-up never finishes, so no structured masking happens and the model exports dense");
    else if (config.warmup_end_epoch == options.num_train_epochs)
      log_warning(kMovement, ": warmup_end_epoch equals num_train_epochs (", options.num_train_epochs,
                  "), so training ends with the warm-up: the masks are never frozen and no structured masking "
                  "happens");
  }

  std::vector<SparsifiedLayer> layers;
  for (const auto& node : graph) {
    if (node.kind != model::NodeKind::kLinear) continue;
    TORCH_CHECK(node.linear != nullptr, "model graph: Linear node ", node.name, " without a layer");
    if (!config.target_scopes.empty() && !any_scope_matches(config.target_scopes, node.scope)) continue;
    if (any_scope_matches(config.ignored_scopes, node.scope)) {
      log_debug(kMovement, ": ignoring ", node.name);
      continue;
    }
    const SparseStructureEntry entry = structure_for(config, node);
    model::CompressibleLinearImpl& linear = *node.linear;
    const SparseFactors factors = sparse_factors_for(entry, linear.out_features, linear.in_features, node.name);
    auto sparsifier = std::make_shared<MovementSparsifier>(linear.out_features, linear.in_features,
                                                           linear.bias.defined(), entry.mode, factors);
    sparsifier->to(linear.weight.device(), linear.weight.scalar_type());
    // NNCF's CompressionParameter: the importance scores' gradients are scaled before any optimizer sees them.
    if (config.compression_lr_multiplier) {
      const double m = *config.compression_lr_multiplier;
      for (auto& p : sparsifier->parameters()) p.register_hook([m](torch::Tensor g) { return g * m; });
    }
    layers.push_back({node.name, node.scope, node.layer_index, node.role, node.linear, sparsifier});
  }
  JPQD_CHECK(!layers.empty(), InvalidArgument, kMovement,
             ": no Linear layer left to sparsify after target_scopes and ignored_scopes");

  std::vector<StructuredGroup> groups;
  if (config.enable_structured_masking) groups = make_groups(graph, layers, options.head_dim);
  // Attach only once everything validated, so a config error leaves the model untouched.
  for (auto& l : layers) l.linear->add_params_hook("sparsifier", l.sparsifier, model::kSparsityPriority);
  log_info(kMovement, ": sparsifying ", layers.size(), " Linear layers", config.enable_structured_masking
                                                                           ? str_cat(", ", groups.size(), " structured groups")
                                                                           : std::string());
  return std::make_unique<MovementSparsityController>(config, std::move(layers), std::move(groups),
                                                      options.model_parameters);
}

}  // namespace jpqd::compression
