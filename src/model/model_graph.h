// What compression may touch in a model, with the names configs use to select it.
//
// Every node has two names:
//   name  - the Hugging Face module path, e.g. "bert.encoder.layer.0.attention.self.query",
//           "distilbert.transformer.layer.0.attention.q_lin"
//   scope - an NNCF-style node name, e.g.
//           "BertForSequenceClassification/BertModel[bert]/BertEncoder[encoder]/ModuleList[layer]/
//            BertLayer[0]/BertAttention[attention]/BertSelfAttention[self]/NNCFLinear[query]/linear_0"
// Config scopes ("{re}.*BertAttention.*", "{re}.*matmul_0", ...) are matched against `scope`, so the
// configs published for NNCF / Optimum Intel select the same layers here (docs/scopes.md lists them).
#pragma once

#include <string>
#include <vector>

#include "architecture/roles.h"
#include "model/hooks.h"

namespace jpqd::model {

// Kinds and roles are the architecture's (architecture/roles.h): every family's description uses them.
using NodeKind = architecture::NodeKind;
using NodeRole = architecture::NodeRole;

struct ModelNode {
  std::string name;
  std::string scope;
  NodeKind kind = NodeKind::kOp;
  NodeRole role = NodeRole::kOther;
  int layer_index = -1;                         // encoder layer, -1 outside the encoder
  CompressibleLinearImpl* linear = nullptr;     // kLinear
  TensorHookPointImpl* hook_point = nullptr;    // kEmbedding, kActivation
  torch::Tensor embedding_weight;               // kEmbedding: the table itself
};

using ModelGraph = std::vector<ModelNode>;

}  // namespace jpqd::model
