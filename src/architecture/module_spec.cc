#include "architecture/module_spec.h"

namespace jpqd::architecture {

std::vector<TensorSpec> tensors_of(const std::vector<ModuleSpec>& modules) {
  std::vector<TensorSpec> out;
  for (const auto& m : modules) {
    switch (m.type) {
      case ModuleType::kLinear:
        out.push_back({m.path + ".weight", {m.rows, m.cols}, ParamInit::kNormal});
        out.push_back({m.path + ".bias", {m.rows}, ParamInit::kZeros});
        break;
      case ModuleType::kEmbedding:
        out.push_back({m.path + ".weight", {m.rows, m.cols},
                       m.padding_idx >= 0 ? ParamInit::kNormalPaddingZero : ParamInit::kNormal});
        break;
      case ModuleType::kLayerNorm:
        out.push_back({m.path + ".weight", {m.cols}, ParamInit::kOnes});
        out.push_back({m.path + ".bias", {m.cols}, ParamInit::kZeros});
        break;
      case ModuleType::kBias:
        out.push_back({m.path, {m.rows}, ParamInit::kZeros});
        break;
    }
  }
  return out;
}

void ModuleTable::linear(const std::string& path, NodeRole role, int layer, int64_t in, int64_t out) {
  modules.push_back({path, ModuleType::kLinear, role, layer, out, in, -1});
}

void ModuleTable::layer_norm(const std::string& path, NodeRole role, int layer, int64_t width) {
  modules.push_back({path, ModuleType::kLayerNorm, role, layer, 0, width, -1});
}

void ModuleTable::embedding(const std::string& path, NodeRole role, int64_t rows, int64_t cols, int64_t padding_idx) {
  modules.push_back({path, ModuleType::kEmbedding, role, -1, rows, cols, padding_idx});
}

void ModuleTable::bias(const std::string& name, NodeRole role, int64_t size) {
  modules.push_back({name, ModuleType::kBias, role, -1, size, 0, -1});
}

void NodeTable::linear(const std::string& name, const std::string& module_scope, NodeRole role, int layer) {
  nodes.push_back({name, module_scope + "linear_0", NodeKind::kLinear, role, layer});
}

void NodeTable::embedding(const std::string& name, const std::string& module_scope, NodeRole role) {
  nodes.push_back({name, module_scope + "embedding_0", NodeKind::kEmbedding, role, -1});
}

void NodeTable::activation(const std::string& name, const std::string& scope, NodeRole role, int layer) {
  nodes.push_back({name, scope, NodeKind::kActivation, role, layer});
}

void NodeTable::op(const std::string& name, const std::string& scope, int layer) {
  nodes.push_back({name, scope, NodeKind::kOp, NodeRole::kOther, layer});
}

std::string activation_scope(const std::string& act, const std::string& attr) {
  if (act == "relu") return "ReLU[" + attr + "]/relu_0";
  if (act == "gelu" || act == "gelu_python") return "GELUActivation[" + attr + "]/gelu_0";
  return "NewGELUActivation[" + attr + "]/tanh_0";
}

}  // namespace jpqd::architecture
