// What compression may touch in a model, with the names configs use to select it.
//
// Every node has two names:
//   name  - the Hugging Face module path, e.g. "bert.encoder.layer.0.attention.self.query"
//   scope - an NNCF-style node name, e.g.
//           "BertForSequenceClassification/BertModel[bert]/BertEncoder[encoder]/ModuleList[layer]/
//            BertLayer[0]/BertAttention[attention]/BertSelfAttention[self]/NNCFLinear[query]/linear_0"
// Config scopes ("{re}.*BertAttention.*", "{re}.*matmul_0", ...) are matched against `scope`, so the
// configs published for NNCF / Optimum Intel select the same layers here (docs/scopes.md lists them).
#pragma once

#include <string>
#include <vector>

#include "model/hooks.h"

namespace jpqd::model {

enum class NodeKind {
  kLinear,      // a CompressibleLinear: weight/bias hooks and input hooks
  kEmbedding,   // an embedding table: `hook_point` transforms the table before lookup
  kActivation,  // an activation hook point that is not a Linear input (Q/K/V input, matmul_0 inputs)
  kOp,          // a node with no hook (residual add, layer_norm, softmax, matmul_1, truediv): it exists
                // so that ignored_scopes naming it are valid, as in NNCF
};

// Role of a node inside BERT, so algorithms find structure without parsing names.
enum class NodeRole {
  kQuery, kKey, kValue, kAttentionOutput, kIntermediate, kOutput, kPooler, kClassifier, kQaOutputs,
  kMlmTransform, kMlmDecoder,
  kWordEmbeddings, kPositionEmbeddings, kTokenTypeEmbeddings,
  kQkvInput,      // hidden states entering Q, K and V (one shared activation quantizer)
  kMatmul0Input0, // query entering Q·Kᵀ
  kMatmul0Input1, // key entering Q·Kᵀ
  kOther,
};

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
