// A family's own tensors (what its Hugging Face checkpoint holds), grouped by module, and the nodes of its
// forward pass that compression may select.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "architecture/roles.h"

namespace jpqd::architecture {

// How Hugging Face's _init_weights initialises a tensor.
enum class ParamInit {
  kNormal,             // normal(0, initializer_range): Linear weights, embedding tables
  kNormalPaddingZero,  // normal(0, initializer_range) with the padding row zeroed: embeddings with padding_idx
  kZeros,              // biases, LayerNorm bias
  kOnes,               // LayerNorm weight
};

enum class ModuleType {
  kLinear,     // "<path>.weight" [rows = out, cols = in], "<path>.bias" [rows]
  kEmbedding,  // "<path>.weight" [rows, cols]
  kLayerNorm,  // "<path>.weight", "<path>.bias" [cols]
  kBias,       // a bare parameter "<path>" [rows] (the tied decoder's own bias)
};

struct ModuleSpec {
  std::string path;  // Hugging Face module path (kBias: the parameter's full name)
  ModuleType type = ModuleType::kLinear;
  NodeRole role = NodeRole::kOther;
  int layer = -1;    // encoder layer, -1 outside the encoder
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t padding_idx = -1;  // kEmbedding: the row HF zeroes and keeps out of the gradient; -1 for none
};

struct TensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  ParamInit init = ParamInit::kNormal;
};

// The tensors of `modules`, in their order (which is Hugging Face's state-dict order).
std::vector<TensorSpec> tensors_of(const std::vector<ModuleSpec>& modules);

struct NodeSpec {
  std::string name;   // Hugging Face module path, e.g. "bert.encoder.layer.0.attention.self.query"
  std::string scope;  // NNCF node name, e.g. ".../BertSelfAttention[self]/NNCFLinear[query]/linear_0"
  NodeKind kind = NodeKind::kOp;
  NodeRole role = NodeRole::kOther;
  int layer = -1;
};

// Builds module tables in order (used by the family files).
class ModuleTable {
 public:
  void linear(const std::string& path, NodeRole role, int layer, int64_t in, int64_t out);
  void layer_norm(const std::string& path, NodeRole role, int layer, int64_t width);
  void embedding(const std::string& path, NodeRole role, int64_t rows, int64_t cols, int64_t padding_idx = -1);
  void bias(const std::string& name, NodeRole role, int64_t size);
  std::vector<ModuleSpec> modules;
};

// Builds node lists in forward order; scopes of Linears and embeddings get NNCF's "linear_0" /
// "embedding_0" op suffix.
class NodeTable {
 public:
  void linear(const std::string& name, const std::string& module_scope, NodeRole role, int layer = -1);
  void embedding(const std::string& name, const std::string& module_scope, NodeRole role);
  void activation(const std::string& name, const std::string& scope, NodeRole role, int layer);
  void op(const std::string& name, const std::string& scope, int layer = -1);
  std::vector<NodeSpec> nodes;
};

// NNCF names an activation module by its class (HF's ACT2FN) and the op by its function:
// "GELUActivation[<attr>]/gelu_0", "NewGELUActivation[<attr>]/tanh_0", "ReLU[<attr>]/relu_0".
std::string activation_scope(const std::string& hidden_act, const std::string& attribute);

}  // namespace jpqd::architecture
