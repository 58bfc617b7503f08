#include "compression/sparsity/movement/kept_units.h"

#include "common/error.h"

namespace jpqd::compression {

MovementSparsifier* find_movement_sparsifier(const model::CompressibleLinearImpl& linear) {
  for (const auto& [name, hook] : linear.params_hooks())
    if (auto s = std::dynamic_pointer_cast<MovementSparsifier>(hook)) return s.get();
  return nullptr;
}

void set_kept_units(const model::ModelGraph& graph, int64_t head_dim, const std::vector<std::vector<int64_t>>& heads,
                    const std::vector<std::vector<int64_t>>& neurons) {
  torch::NoGradGuard no_grad;
  for (const auto& node : graph) {
    if (node.kind != model::NodeKind::kLinear || node.layer_index < 0) continue;
    MovementSparsifier* s = find_movement_sparsifier(*node.linear);
    if (!s) continue;
    const auto l = static_cast<size_t>(node.layer_index);
    JPQD_CHECK(l < heads.size() && l < neurons.size(), InvalidArgument, "kept units given for ", heads.size(),
               " layers, the model has layer ", l);
    auto w = torch::zeros_like(s->weight_mask());
    auto b = s->has_bias() ? torch::ones_like(s->bias_mask()) : torch::Tensor();
    switch (node.role) {
      case model::NodeRole::kQuery:
      case model::NodeRole::kKey:
      case model::NodeRole::kValue:
        if (b.defined()) b.zero_();
        for (int64_t h : heads[l]) {
          w.slice(0, h * head_dim, (h + 1) * head_dim).fill_(1);
          if (b.defined()) b.slice(0, h * head_dim, (h + 1) * head_dim).fill_(1);
        }
        break;
      case model::NodeRole::kAttentionOutput:
        for (int64_t h : heads[l]) w.slice(1, h * head_dim, (h + 1) * head_dim).fill_(1);
        break;
      case model::NodeRole::kIntermediate:
        if (b.defined()) b.zero_();
        for (int64_t n : neurons[l]) {
          w[n].fill_(1);
          if (b.defined()) b[n] = 1;
        }
        break;
      case model::NodeRole::kOutput:
        for (int64_t n : neurons[l]) w.select(1, n).fill_(1);
        break;
      default: continue;
    }
    s->set_weight_mask(w);
    if (b.defined()) s->set_bias_mask(b);
  }
}

}  // namespace jpqd::compression
