// BertImpl::graph(): every node compression may select, in forward order, named both by HF module path
// and by NNCF-style scope (docs/scopes.md lists them for a 1-layer model).
#include "model/bert_parts.h"

namespace jpqd::model {

namespace {

class GraphBuilder {
 public:
  explicit GraphBuilder(ModelGraph& g) : graph_(g) {}

  void linear(const std::string& name, const std::string& scope, NodeRole role, int layer,
              CompressibleLinearImpl* l) {
    add(name, scope + "linear_0", NodeKind::kLinear, role, layer).linear = l;
  }
  void activation(const std::string& name, const std::string& scope, NodeRole role, int layer,
                  TensorHookPointImpl* point) {
    add(name, scope, NodeKind::kActivation, role, layer).hook_point = point;
  }
  void embedding(const std::string& name, const std::string& scope, NodeRole role, HookedEmbeddingImpl& e) {
    ModelNode& n = add(name, scope + "embedding_0", NodeKind::kEmbedding, role, -1);
    n.hook_point = e.weight_hooks.get();
    n.embedding_weight = e.weight;
  }
  void op(const std::string& name, const std::string& scope, int layer = -1) {
    add(name, scope, NodeKind::kOp, NodeRole::kOther, layer);
  }

 private:
  ModelNode& add(const std::string& name, const std::string& scope, NodeKind kind, NodeRole role, int layer) {
    ModelNode n;
    n.name = name;
    n.scope = scope;
    n.kind = kind;
    n.role = role;
    n.layer_index = layer;
    graph_.push_back(std::move(n));
    return graph_.back();
  }
  ModelGraph& graph_;
};

// NNCF names an activation module by its class and an op by its function.
std::string activation_scope(const std::string& act, const std::string& attr) {
  if (act == "relu") return "ReLU[" + attr + "]/relu_0";
  if (act == "gelu" || act == "gelu_python") return "GELUActivation[" + attr + "]/gelu_0";
  return "NewGELUActivation[" + attr + "]/tanh_0";
}

}  // namespace

ModelGraph BertImpl::graph() {
  ModelGraph graph;
  GraphBuilder b(graph);
  auto& p = *parts_;
  const std::string root = task_head_architecture(head_) + "/";
  const std::string model = root + "BertModel[bert]/";

  const std::string emb = model + "BertEmbeddings[embeddings]/";
  auto& e = *p.bert->embeddings;
  b.embedding("bert.embeddings.word_embeddings", emb + "NNCFEmbedding[word_embeddings]/",
              NodeRole::kWordEmbeddings, *e.word_embeddings);
  b.embedding("bert.embeddings.token_type_embeddings", emb + "NNCFEmbedding[token_type_embeddings]/",
              NodeRole::kTokenTypeEmbeddings, *e.token_type_embeddings);
  b.op("bert.embeddings.add", emb + "__add___0");
  b.embedding("bert.embeddings.position_embeddings", emb + "NNCFEmbedding[position_embeddings]/",
              NodeRole::kPositionEmbeddings, *e.position_embeddings);
  b.op("bert.embeddings.iadd", emb + "__iadd___0");
  b.op("bert.embeddings.LayerNorm", emb + "NNCFLayerNorm[LayerNorm]/layer_norm_0");
  b.op("bert.embeddings.dropout", emb + "Dropout[dropout]/dropout_0");
  b.op("bert.extended_attention_mask.rsub", model + "__rsub___0");
  b.op("bert.extended_attention_mask.mul", model + "__mul___0");

  auto& layers = p.bert->encoder->layers;
  for (size_t i = 0; i < layers.size(); ++i) {
    const int l = static_cast<int>(i);
    const std::string n = "bert.encoder.layer." + std::to_string(l) + ".";
    const std::string s = model + "BertEncoder[encoder]/ModuleList[layer]/BertLayer[" + std::to_string(l) + "]/";
    const std::string att = s + "BertAttention[attention]/";
    const std::string self = att + "BertSelfAttention[self]/";
    const std::string self_out = att + "BertSelfOutput[output]/";
    auto& sa = *layers[i]->attention->self_attention;
    b.activation(n + "attention.self.qkv_input", self + "qkv_input", NodeRole::kQkvInput, l, sa.qkv_input.get());
    b.linear(n + "attention.self.query", self + "NNCFLinear[query]/", NodeRole::kQuery, l, sa.query.get());
    b.linear(n + "attention.self.key", self + "NNCFLinear[key]/", NodeRole::kKey, l, sa.key.get());
    b.linear(n + "attention.self.value", self + "NNCFLinear[value]/", NodeRole::kValue, l, sa.value.get());
    b.activation(n + "attention.self.matmul_0_input_0", self + "matmul_0|INPUT0", NodeRole::kMatmul0Input0, l,
                 sa.matmul_0_input_0.get());
    b.activation(n + "attention.self.matmul_0_input_1", self + "matmul_0|INPUT1", NodeRole::kMatmul0Input1, l,
                 sa.matmul_0_input_1.get());
    b.op(n + "attention.self.matmul_0", self + "matmul_0", l);
    b.op(n + "attention.self.truediv", self + "__truediv___0", l);
    b.op(n + "attention.self.mask_add", self + "__add___0", l);
    b.op(n + "attention.self.softmax", self + "softmax_0", l);
    b.op(n + "attention.self.dropout", self + "Dropout[dropout]/dropout_0", l);
    b.op(n + "attention.self.matmul_1", self + "matmul_1", l);
    b.linear(n + "attention.output.dense", self_out + "NNCFLinear[dense]/", NodeRole::kAttentionOutput, l,
             layers[i]->attention->output->dense.get());
    b.op(n + "attention.output.dropout", self_out + "Dropout[dropout]/dropout_0", l);
    b.op(n + "attention.output.add", self_out + "__add___0", l);
    b.op(n + "attention.output.LayerNorm", self_out + "NNCFLayerNorm[LayerNorm]/layer_norm_0", l);
    const std::string inter = s + "BertIntermediate[intermediate]/";
    b.linear(n + "intermediate.dense", inter + "NNCFLinear[dense]/", NodeRole::kIntermediate, l,
             layers[i]->intermediate->dense.get());
    b.op(n + "intermediate.intermediate_act_fn", inter + activation_scope(config_.hidden_act, "intermediate_act_fn"),
         l);
    const std::string out = s + "BertOutput[output]/";
    b.linear(n + "output.dense", out + "NNCFLinear[dense]/", NodeRole::kOutput, l, layers[i]->output->dense.get());
    b.op(n + "output.dropout", out + "Dropout[dropout]/dropout_0", l);
    b.op(n + "output.add", out + "__add___0", l);
    b.op(n + "output.LayerNorm", out + "NNCFLayerNorm[LayerNorm]/layer_norm_0", l);
  }

  switch (head_) {
    case TaskHead::kSequenceClassification: {
      const std::string pool = model + "BertPooler[pooler]/";
      b.op("bert.pooler.first_token", pool + "__getitem___0");
      b.linear("bert.pooler.dense", pool + "NNCFLinear[dense]/", NodeRole::kPooler, -1, p.bert->pooler->dense.get());
      b.op("bert.pooler.activation", pool + "Tanh[activation]/tanh_0");
      b.op("dropout", root + "Dropout[dropout]/dropout_0");
      b.linear("classifier", root + "NNCFLinear[classifier]/", NodeRole::kClassifier, -1, p.classifier.get());
      break;
    }
    case TaskHead::kQuestionAnswering:
      b.linear("qa_outputs", root + "NNCFLinear[qa_outputs]/", NodeRole::kQaOutputs, -1, p.qa_outputs.get());
      break;
    case TaskHead::kMaskedLM: {
      const std::string pred = root + "BertOnlyMLMHead[cls]/BertLMPredictionHead[predictions]/";
      const std::string tr = pred + "BertPredictionHeadTransform[transform]/";
      auto& t = *p.predictions->transform;
      b.linear("cls.predictions.transform.dense", tr + "NNCFLinear[dense]/", NodeRole::kMlmTransform, -1,
               t.dense.get());
      b.op("cls.predictions.transform.transform_act_fn", tr + activation_scope(config_.hidden_act, "transform_act_fn"));
      b.op("cls.predictions.transform.LayerNorm", tr + "NNCFLayerNorm[LayerNorm]/layer_norm_0");
      // Tied to the word embeddings: an op node only, so compression never owns the shared table twice.
      b.op("cls.predictions.decoder", pred + "NNCFLinear[decoder]/linear_0");
      break;
    }
  }
  return graph;
}

}  // namespace jpqd::model
