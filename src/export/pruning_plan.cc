#include "export/pruning_plan.h"

#include <set>

#include "common/error.h"
#include "compression/sparsity/movement/kept_units.h"

namespace jpqd::exporter {

namespace {

using model::NodeRole;

// Per block of `block` consecutive rows (dim 0) or columns (dim 1) of a mask: is anything kept?
std::vector<bool> alive_blocks(const torch::Tensor& mask, int64_t dim, int64_t block) {
  const auto counts = mask.ne(0).sum(1 - dim).view({-1, block}).sum(1);
  std::vector<bool> alive(static_cast<size_t>(counts.size(0)));
  for (int64_t i = 0; i < counts.size(0); ++i) alive[static_cast<size_t>(i)] = counts[i].item<int64_t>() > 0;
  return alive;
}

void merge(std::vector<bool>& into, const std::vector<bool>& from) {
  for (size_t i = 0; i < into.size(); ++i) into[i] = into[i] || from[i];
}

// OR over the members of one block (attention or FFN) of one layer; all-true when none is sparsified.
struct BlockMasks {
  std::vector<bool> alive;
  bool any_sparsified = false;
  void add(const compression::MovementSparsifier& s, bool by_row, int64_t block) {
    any_sparsified = true;
    merge(alive, alive_blocks(s.weight_mask(), by_row ? 0 : 1, block));
    if (by_row && s.has_bias()) merge(alive, alive_blocks(s.bias_mask().view({-1, 1}), 0, block));
  }
};

std::vector<int64_t> indices_of(const BlockMasks& masks) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < masks.alive.size(); ++i)
    if (!masks.any_sparsified || masks.alive[i]) out.push_back(static_cast<int64_t>(i));
  return out;
}

}  // namespace

std::vector<int64_t> PruningPlan::heads_per_layer() const {
  std::vector<int64_t> out;
  for (const auto& l : layers) out.push_back(static_cast<int64_t>(l.kept_heads.size()));
  return out;
}

std::vector<int64_t> PruningPlan::intermediate_per_layer() const {
  std::vector<int64_t> out;
  for (const auto& l : layers) out.push_back(static_cast<int64_t>(l.kept_neurons.size()));
  return out;
}

Json PruningPlan::to_json() const {
  Json list = Json::array();
  for (size_t i = 0; i < layers.size(); ++i)
    list.push_back({{"layer", i},
                    {"num_heads", heads_before[i]},
                    {"heads_kept", layers[i].kept_heads},
                    {"intermediate_size", intermediate_before[i]},
                    {"num_neurons_kept", layers[i].kept_neurons.size()}});
  return {{"structured", structured}, {"head_dim", head_dim}, {"layers", list}};
}

PruningPlan make_pruning_plan(model::BertImpl& model, bool structured) {
  const auto& config = model.config();
  PruningPlan plan;
  plan.structured = structured;
  plan.model_type = config.model_type;
  plan.head_dim = config.head_dim();
  const auto num_layers = static_cast<size_t>(config.num_hidden_layers);
  std::vector<BlockMasks> attention(num_layers), ffn(num_layers);
  for (size_t l = 0; l < num_layers; ++l) {
    plan.heads_before.push_back(config.heads_per_layer.empty() ? config.num_attention_heads : config.heads_per_layer[l]);
    plan.intermediate_before.push_back(config.intermediate_per_layer.empty() ? config.intermediate_size
                                                                             : config.intermediate_per_layer[l]);
    attention[l].alive.assign(static_cast<size_t>(plan.heads_before[l]), false);
    ffn[l].alive.assign(static_cast<size_t>(plan.intermediate_before[l]), false);
  }
  if (structured) {
    for (const auto& node : model.graph()) {
      if (node.kind != model::NodeKind::kLinear || node.layer_index < 0) continue;
      const auto* s = compression::find_movement_sparsifier(*node.linear);
      if (!s) continue;
      auto& att = attention[static_cast<size_t>(node.layer_index)];
      auto& ff = ffn[static_cast<size_t>(node.layer_index)];
      switch (node.role) {
        case NodeRole::kQuery:
        case NodeRole::kKey:
        case NodeRole::kValue: att.add(*s, /*by_row=*/true, plan.head_dim); break;
        case NodeRole::kAttentionOutput: att.add(*s, /*by_row=*/false, plan.head_dim); break;
        case NodeRole::kIntermediate: ff.add(*s, /*by_row=*/true, 1); break;
        case NodeRole::kOutput: ff.add(*s, /*by_row=*/false, 1); break;
        default: break;
      }
    }
  }
  for (size_t l = 0; l < num_layers; ++l) {
    LayerPlan lp;
    if (structured) {
      lp.kept_heads = indices_of(attention[l]);
      lp.kept_neurons = indices_of(ffn[l]);
    } else {
      for (int64_t h = 0; h < plan.heads_before[l]; ++h) lp.kept_heads.push_back(h);
      for (int64_t n = 0; n < plan.intermediate_before[l]; ++n) lp.kept_neurons.push_back(n);
    }
    plan.layers.push_back(std::move(lp));
  }
  return plan;
}

std::map<std::string, torch::Tensor> masked_state_dict(model::BertImpl& model) {
  torch::NoGradGuard no_grad;
  const auto names = model.hf_parameter_names();
  const std::set<std::string> wanted(names.begin(), names.end());
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : model.named_parameters(true))
    if (wanted.count(item.key())) out[item.key()] = item.value().detach().clone();
  for (const auto& item : model.named_buffers(true))
    if (wanted.count(item.key())) out[item.key()] = item.value().detach().clone();
  for (const auto& node : model.graph()) {
    if (node.kind != model::NodeKind::kLinear) continue;
    const auto* s = compression::find_movement_sparsifier(*node.linear);
    if (!s) continue;
    auto& w = out.at(node.name + ".weight");
    w.mul_(s->weight_mask());
    if (s->has_bias()) out.at(node.name + ".bias").mul_(s->bias_mask());
  }
  return out;
}

}  // namespace jpqd::exporter
