// BertImpl::graph(): every node compression may select, in forward order, from the family's description
// (named both by HF module path and by NNCF scope; docs/scopes.md lists them), with the model's own Linear,
// embedding or hook point behind each hookable node.
#include "model/bert_parts.h"

namespace jpqd::model {

ModelGraph BertImpl::graph() {
  const architecture::Architecture& arch = architecture();
  auto& p = *parts_;
  ModelGraph graph;
  for (const auto& spec : arch.nodes(arch, config_.shape(), head_)) {
    ModelNode n;
    n.name = spec.name;
    n.scope = spec.scope;
    n.kind = spec.kind;
    n.role = spec.role;
    n.layer_index = spec.layer;
    switch (spec.kind) {
      case NodeKind::kLinear: {
        auto it = p.linears.find(spec.name);
        TORCH_CHECK(it != p.linears.end(), arch.model_type, " graph: no Linear registered at ", spec.name);
        n.linear = it->second;
        break;
      }
      case NodeKind::kEmbedding: {
        auto it = p.embedding_tables.find(spec.name);
        TORCH_CHECK(it != p.embedding_tables.end(), arch.model_type, " graph: no embedding registered at ", spec.name);
        n.hook_point = it->second->weight_hooks.get();
        n.embedding_weight = it->second->weight;
        break;
      }
      case NodeKind::kActivation: {
        auto it = p.hook_points.find(spec.name);
        TORCH_CHECK(it != p.hook_points.end(), arch.model_type, " graph: no hook point registered at ", spec.name);
        n.hook_point = it->second;
        break;
      }
      case NodeKind::kOp: break;
    }
    graph.push_back(std::move(n));
  }
  return graph;
}

}  // namespace jpqd::model
