// A hand-built BERT-shaped ModelGraph with everything quantization places quantizers on: Linear layers,
// embedding tables behind hook points, the shared Q/K/V input and both matmul_0 inputs as activation hook
// points, and kOp nodes (residual adds, LayerNorms, matmul_1, softmax) that configs name in ignored_scopes.
// A small forward over the same modules lets range initialisation see data without BertImpl.
//
// Scopes follow NNCF's node names; hook points that sit on an op's input or output carry NNCF's insertion
// point suffix ("|INPUT0", "|OUTPUT"), e.g. the shared Q/K/V input is the previous LayerNorm's output.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "model/model_graph.h"

namespace jpqd::compression::testing {

struct QuantTinyBert {
  int64_t hidden = 8, heads = 2, intermediate = 6, layers = 2, labels = 2, vocab = 11, positions = 16, types = 2;
  std::vector<model::CompressibleLinear> linears;
  std::vector<model::TensorHookPoint> points;
  std::vector<torch::Tensor> tables;  // word, position, token type
  model::ModelGraph graph;

  explicit QuantTinyBert(int64_t num_layers = 2) : layers(num_layers) {
    torch::manual_seed(11);
    const std::string root = "BertForSequenceClassification/BertModel[bert]/";
    const std::string emb = root + "BertEmbeddings[embeddings]/";
    add_embedding("bert.embeddings.word_embeddings", emb + "NNCFEmbedding[word_embeddings]/embedding_0", vocab,
                  model::NodeRole::kWordEmbeddings);
    add_embedding("bert.embeddings.position_embeddings", emb + "NNCFEmbedding[position_embeddings]/embedding_0",
                  positions, model::NodeRole::kPositionEmbeddings);
    add_embedding("bert.embeddings.token_type_embeddings", emb + "NNCFEmbedding[token_type_embeddings]/embedding_0",
                  types, model::NodeRole::kTokenTypeEmbeddings);
    add_op("bert.embeddings.add_0", emb + "__add___0", -1);
    add_op("bert.embeddings.add_1", emb + "__add___1", -1);
    std::string previous_norm = emb + "NNCFLayerNorm[LayerNorm]/layer_norm_0";
    add_op("bert.embeddings.LayerNorm", previous_norm, -1);
    for (int l = 0; l < layers; ++l) {
      const std::string p = "bert.encoder.layer." + std::to_string(l) + ".";
      const std::string s = root + "BertEncoder[encoder]/ModuleList[layer]/BertLayer[" + std::to_string(l) + "]/";
      const std::string att = s + "BertAttention[attention]/";
      const std::string self = att + "BertSelfAttention[self]/";
      add_point(p + "attention.self.qkv_input", previous_norm + "|OUTPUT", model::NodeRole::kQkvInput, l);
      add_linear(p + "attention.self.query", self + "NNCFLinear[query]/linear_0", hidden, hidden, model::NodeRole::kQuery, l);
      add_linear(p + "attention.self.key", self + "NNCFLinear[key]/linear_0", hidden, hidden, model::NodeRole::kKey, l);
      add_linear(p + "attention.self.value", self + "NNCFLinear[value]/linear_0", hidden, hidden, model::NodeRole::kValue, l);
      add_point(p + "attention.self.matmul_0_input0", self + "matmul_0|INPUT0", model::NodeRole::kMatmul0Input0, l);
      add_point(p + "attention.self.matmul_0_input1", self + "matmul_0|INPUT1", model::NodeRole::kMatmul0Input1, l);
      add_op(p + "attention.self.matmul_0", self + "matmul_0", l);
      add_op(p + "attention.self.truediv", self + "__truediv___0", l);
      add_op(p + "attention.self.add_0", self + "__add___0", l);
      add_op(p + "attention.self.softmax", self + "softmax_0", l);
      add_op(p + "attention.self.matmul_1", self + "matmul_1", l);
      add_linear(p + "attention.output.dense", att + "BertSelfOutput[output]/NNCFLinear[dense]/linear_0", hidden, hidden,
                 model::NodeRole::kAttentionOutput, l);
      add_op(p + "attention.output.add_0", att + "BertSelfOutput[output]/__add___0", l);
      add_op(p + "attention.output.LayerNorm", att + "BertSelfOutput[output]/NNCFLayerNorm[LayerNorm]/layer_norm_0", l);
      add_linear(p + "intermediate.dense", s + "BertIntermediate[intermediate]/NNCFLinear[dense]/linear_0", hidden,
                 intermediate, model::NodeRole::kIntermediate, l);
      add_op(p + "intermediate.gelu", s + "BertIntermediate[intermediate]/gelu_0", l);
      add_linear(p + "output.dense", s + "BertOutput[output]/NNCFLinear[dense]/linear_0", intermediate, hidden,
                 model::NodeRole::kOutput, l);
      add_op(p + "output.add_0", s + "BertOutput[output]/__add___0", l);
      previous_norm = s + "BertOutput[output]/NNCFLayerNorm[LayerNorm]/layer_norm_0";
      add_op(p + "output.LayerNorm", previous_norm, l);
    }
    add_linear("bert.pooler.dense", root + "BertPooler[pooler]/NNCFLinear[dense]/linear_0", hidden, hidden,
               model::NodeRole::kPooler, -1);
    add_linear("classifier", "BertForSequenceClassification/NNCFLinear[classifier]/linear_0", hidden, labels,
               model::NodeRole::kClassifier, -1);
  }

  const model::ModelNode& node(const std::string& name) const {
    for (const auto& n : graph)
      if (n.name == name) return n;
    throw std::runtime_error("no node " + name);
  }

  // Post-LN BERT-like forward over the graph's modules: ids [B, S] -> logits [B, labels].
  torch::Tensor forward(const torch::Tensor& ids) {
    const int64_t S = ids.size(1);
    torch::Tensor x = point_of("bert.embeddings.word_embeddings")->forward(tables[0]).index_select(0, ids.flatten())
                          .reshape({ids.size(0), S, hidden});
    x = x + point_of("bert.embeddings.position_embeddings")->forward(tables[1]).slice(0, 0, S).unsqueeze(0);
    x = x + point_of("bert.embeddings.token_type_embeddings")->forward(tables[2])[0];
    x = torch::layer_norm(x, {hidden});
    const int64_t d = hidden / heads;
    for (int l = 0; l < layers; ++l) {
      const std::string p = "bert.encoder.layer." + std::to_string(l) + ".";
      const torch::Tensor h = point_of(p + "attention.self.qkv_input")->forward(x);
      auto split = [&](const torch::Tensor& t) { return t.reshape({t.size(0), S, heads, d}).transpose(1, 2); };
      torch::Tensor q = split(linear_of(p + "attention.self.query")->forward(h));
      torch::Tensor k = split(linear_of(p + "attention.self.key")->forward(h));
      torch::Tensor v = split(linear_of(p + "attention.self.value")->forward(h));
      q = point_of(p + "attention.self.matmul_0_input0")->forward(q);
      k = point_of(p + "attention.self.matmul_0_input1")->forward(k);
      const torch::Tensor probs = torch::softmax(torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(double(d)), -1);
      const torch::Tensor ctx = torch::matmul(probs, v).transpose(1, 2).reshape({x.size(0), S, hidden});
      const torch::Tensor a = torch::layer_norm(linear_of(p + "attention.output.dense")->forward(ctx) + x, {hidden});
      const torch::Tensor i = torch::gelu(linear_of(p + "intermediate.dense")->forward(a));
      x = torch::layer_norm(linear_of(p + "output.dense")->forward(i) + a, {hidden});
    }
    const torch::Tensor pooled = torch::tanh(linear_of("bert.pooler.dense")->forward(x.select(1, 0)));
    return linear_of("classifier")->forward(pooled);
  }

 private:
  std::map<std::string, model::TensorHookPointImpl*> point_by_name_;
  std::map<std::string, model::CompressibleLinearImpl*> linear_by_name_;

  model::TensorHookPointImpl* point_of(const std::string& name) { return point_by_name_.at(name); }
  model::CompressibleLinearImpl* linear_of(const std::string& name) { return linear_by_name_.at(name); }

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
    linear_by_name_[name] = n.linear;
    graph.push_back(n);
  }
  void add_point(const std::string& name, const std::string& scope, model::NodeRole role, int layer) {
    points.emplace_back();
    model::ModelNode n;
    n.name = name;
    n.scope = scope;
    n.kind = model::NodeKind::kActivation;
    n.role = role;
    n.layer_index = layer;
    n.hook_point = points.back().get();
    point_by_name_[name] = n.hook_point;
    graph.push_back(n);
  }
  void add_embedding(const std::string& name, const std::string& scope, int64_t rows, model::NodeRole role) {
    points.emplace_back();
    tables.push_back(torch::randn({rows, hidden}) * 0.5);
    model::ModelNode n;
    n.name = name;
    n.scope = scope;
    n.kind = model::NodeKind::kEmbedding;
    n.role = role;
    n.hook_point = points.back().get();
    n.embedding_weight = tables.back();
    point_by_name_[name] = n.hook_point;
    graph.push_back(n);
  }
  void add_op(const std::string& name, const std::string& scope, int layer) {
    model::ModelNode n;
    n.name = name;
    n.scope = scope;
    n.kind = model::NodeKind::kOp;
    n.layer_index = layer;
    graph.push_back(n);
  }
};

}  // namespace jpqd::compression::testing
