// A hand-built BERT-shaped ModelGraph over small CompressibleLinear layers, so movement sparsity can be
// tested without the model library's BertImpl.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "model/model_graph.h"

namespace jpqd::compression::testing {

struct TinyBertGraph {
  int64_t hidden = 8, heads = 2, intermediate = 6, layers = 2, labels = 2;
  std::vector<model::CompressibleLinear> linears;  // keeps the layers alive
  model::ModelGraph graph;

  int64_t head_dim() const { return hidden / heads; }

  explicit TinyBertGraph(int64_t num_layers = 2) : layers(num_layers) {
    torch::manual_seed(7);
    const std::string root = "BertForSequenceClassification/BertModel[bert]/";
    add_op("bert.embeddings.word_embeddings", root + "BertEmbeddings[embeddings]/NNCFEmbedding[word_embeddings]/embedding_0",
           model::NodeKind::kEmbedding, model::NodeRole::kWordEmbeddings, -1);
    add_op("bert.embeddings.LayerNorm", root + "BertEmbeddings[embeddings]/NNCFLayerNorm[LayerNorm]/layer_norm_0",
           model::NodeKind::kOp, model::NodeRole::kOther, -1);
    for (int l = 0; l < layers; ++l) {
      const std::string p = "bert.encoder.layer." + std::to_string(l) + ".";
      const std::string s = root + "BertEncoder[encoder]/ModuleList[layer]/BertLayer[" + std::to_string(l) + "]/";
      const std::string att = s + "BertAttention[attention]/";
      add_linear(p + "attention.self.query", att + "BertSelfAttention[self]/NNCFLinear[query]/linear_0", hidden, hidden,
                 model::NodeRole::kQuery, l);
      add_linear(p + "attention.self.key", att + "BertSelfAttention[self]/NNCFLinear[key]/linear_0", hidden, hidden,
                 model::NodeRole::kKey, l);
      add_linear(p + "attention.self.value", att + "BertSelfAttention[self]/NNCFLinear[value]/linear_0", hidden, hidden,
                 model::NodeRole::kValue, l);
      add_op(p + "attention.self.matmul_0", att + "BertSelfAttention[self]/matmul_0", model::NodeKind::kOp,
             model::NodeRole::kOther, l);
      add_linear(p + "attention.output.dense", att + "BertSelfOutput[output]/NNCFLinear[dense]/linear_0", hidden, hidden,
                 model::NodeRole::kAttentionOutput, l);
      add_op(p + "attention.output.LayerNorm", att + "BertSelfOutput[output]/NNCFLayerNorm[LayerNorm]/layer_norm_0",
             model::NodeKind::kOp, model::NodeRole::kOther, l);
      add_linear(p + "intermediate.dense", s + "BertIntermediate[intermediate]/NNCFLinear[dense]/linear_0", hidden,
                 intermediate, model::NodeRole::kIntermediate, l);
      add_linear(p + "output.dense", s + "BertOutput[output]/NNCFLinear[dense]/linear_0", intermediate, hidden,
                 model::NodeRole::kOutput, l);
      add_op(p + "output.LayerNorm", s + "BertOutput[output]/NNCFLayerNorm[LayerNorm]/layer_norm_0", model::NodeKind::kOp,
             model::NodeRole::kOther, l);
    }
    add_linear("bert.pooler.dense", root + "BertPooler[pooler]/NNCFLinear[dense]/linear_0", hidden, hidden,
               model::NodeRole::kPooler, -1);
    add_linear("classifier", "BertForSequenceClassification/NNCFLinear[classifier]/linear_0", hidden, labels,
               model::NodeRole::kClassifier, -1);
  }

  // Every parameter of the layers (what model_sparsity counts here).
  std::vector<torch::Tensor> parameters() const {
    std::vector<torch::Tensor> out;
    for (const auto& l : linears) {
      out.push_back(l->weight);
      if (l->bias.defined()) out.push_back(l->bias);
    }
    return out;
  }

  const model::ModelNode& node(const std::string& name) const {
    for (const auto& n : graph)
      if (n.name == name) return n;
    throw std::runtime_error("no node " + name);
  }

 private:
  void add_linear(const std::string& name, const std::string& scope, int64_t in, int64_t out, model::NodeRole role,
                  int layer) {
    linears.emplace_back(in, out);
    model::ModelNode n;
    n.name = name;
    n.scope = scope;
    n.kind = model::NodeKind::kLinear;
    n.role = role;
    n.layer_index = layer;
    n.linear = linears.back().get();
    graph.push_back(n);
  }
  void add_op(const std::string& name, const std::string& scope, model::NodeKind kind, model::NodeRole role, int layer) {
    model::ModelNode n;
    n.name = name;
    n.scope = scope;
    n.kind = kind;
    n.role = role;
    n.layer_index = layer;
    graph.push_back(n);
  }
};

}  // namespace jpqd::compression::testing
