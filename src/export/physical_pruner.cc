#include "export/physical_pruner.h"

#include "architecture/architecture.h"
#include "common/error.h"

namespace jpqd::exporter {

namespace {

std::vector<int64_t> head_rows(const std::vector<int64_t>& heads, int64_t head_dim) {
  std::vector<int64_t> rows;
  for (int64_t h : heads)
    for (int64_t i = 0; i < head_dim; ++i) rows.push_back(h * head_dim + i);
  return rows;
}

}  // namespace

TensorSlice slice_for(const std::string& name, const PruningPlan& plan) {
  if (!plan.structured) return {};
  // Which module of which layer `name` belongs to, from the family's own table (its names, its roles).
  const architecture::Architecture& family = architecture::architecture_for(plan.model_type, "pruning plan");
  architecture::EncoderShape shape;
  shape.vocab_size = shape.hidden_size = shape.head_dim = shape.max_position_embeddings = shape.type_vocab_size = 1;
  shape.num_layers = static_cast<int64_t>(plan.layers.size());
  shape.heads.assign(plan.layers.size(), 1);
  shape.intermediate.assign(plan.layers.size(), 1);
  for (const auto& module : family.modules(family, shape, architecture::TaskHead::kSequenceClassification)) {
    if (module.layer < 0 || module.type != architecture::ModuleType::kLinear) continue;
    const bool is_weight = name == module.path + ".weight";
    if (!is_weight && name != module.path + ".bias") continue;
    const auto& lp = plan.layers[static_cast<size_t>(module.layer)];
    switch (module.role) {
      case architecture::NodeRole::kQuery:
      case architecture::NodeRole::kKey:
      case architecture::NodeRole::kValue: return {0, head_rows(lp.kept_heads, plan.head_dim)};
      case architecture::NodeRole::kAttentionOutput:
        return is_weight ? TensorSlice{1, head_rows(lp.kept_heads, plan.head_dim)} : TensorSlice{};
      case architecture::NodeRole::kIntermediate: return {0, lp.kept_neurons};
      case architecture::NodeRole::kOutput: return is_weight ? TensorSlice{1, lp.kept_neurons} : TensorSlice{};
      default: return {};
    }
  }
  return {};
}

torch::Tensor apply_slice(const torch::Tensor& tensor, const TensorSlice& slice) {
  if (slice.dim < 0) return tensor;
  auto index = torch::tensor(slice.rows_or_columns, torch::kInt64);
  return tensor.index_select(slice.dim, index).contiguous();
}

PrunedState prune_physically(const model::BertConfig& config, const std::map<std::string, torch::Tensor>& tensors,
                             const PruningPlan& plan) {
  PrunedState out;
  out.config = config;
  if (plan.structured) {
    out.config.heads_per_layer = plan.heads_per_layer();
    out.config.intermediate_per_layer = plan.intermediate_per_layer();
  }
  for (const auto& [name, tensor] : tensors) out.tensors[name] = apply_slice(tensor, slice_for(name, plan));
  return out;
}

}  // namespace jpqd::exporter
