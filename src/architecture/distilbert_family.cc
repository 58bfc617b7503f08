// DistilBERT (transformers' modeling_distilbert.py): no token types, absolute positions, LayerNorm eps
// fixed at 1e-12, Q scaled by 1/sqrt(head_dim) before Q·Kᵀ, attention and FFN in TransformerBlock
// (attention.{q_lin,k_lin,v_lin,out_lin}, sa_layer_norm, ffn.{lin1,lin2}, output_layer_norm), its own
// config keys (dim, n_layers, n_heads, hidden_dim, activation, dropout, ...), and heads pre_classifier ->
// ReLU -> classifier, qa_outputs after qa_dropout, vocab_transform -> act -> vocab_layer_norm ->
// vocab_projector (tied to the word embeddings).
#include "architecture/architecture.h"

namespace jpqd::architecture {

namespace {

std::vector<ModuleSpec> distilbert_modules(const Architecture&, const EncoderShape& s, TaskHead head) {
  ModuleTable t;
  const int64_t h = s.hidden_size;
  t.embedding("distilbert.embeddings.word_embeddings", NodeRole::kWordEmbeddings, s.vocab_size, h, s.pad_token_id);
  t.embedding("distilbert.embeddings.position_embeddings", NodeRole::kPositionEmbeddings, s.max_position_embeddings,
              h);
  t.layer_norm("distilbert.embeddings.LayerNorm", NodeRole::kEmbeddingsLayerNorm, -1, h);
  for (int l = 0; l < s.num_layers; ++l) {
    const std::string p = "distilbert.transformer.layer." + std::to_string(l) + ".";
    const int64_t inner = s.heads.at(l) * s.head_dim;
    const int64_t ffn = s.intermediate.at(l);
    t.linear(p + "attention.q_lin", NodeRole::kQuery, l, h, inner);
    t.linear(p + "attention.k_lin", NodeRole::kKey, l, h, inner);
    t.linear(p + "attention.v_lin", NodeRole::kValue, l, h, inner);
    t.linear(p + "attention.out_lin", NodeRole::kAttentionOutput, l, inner, h);
    t.layer_norm(p + "sa_layer_norm", NodeRole::kAttentionLayerNorm, l, h);
    t.linear(p + "ffn.lin1", NodeRole::kIntermediate, l, h, ffn);
    t.linear(p + "ffn.lin2", NodeRole::kOutput, l, ffn, h);
    t.layer_norm(p + "output_layer_norm", NodeRole::kOutputLayerNorm, l, h);
  }
  switch (head) {
    case TaskHead::kSequenceClassification:
      t.linear("pre_classifier", NodeRole::kPreClassifier, -1, h, h);
      t.linear("classifier", NodeRole::kClassifier, -1, h, s.num_labels);
      break;
    case TaskHead::kQuestionAnswering:
      t.linear("qa_outputs", NodeRole::kQaOutputs, -1, h, 2);
      break;
    case TaskHead::kMaskedLM:
      t.linear("vocab_transform", NodeRole::kMlmTransform, -1, h, h);
      t.layer_norm("vocab_layer_norm", NodeRole::kMlmLayerNorm, -1, h);
      // vocab_projector.weight is the word-embedding table (tied); its bias is its own.
      t.bias("vocab_projector.bias", NodeRole::kMlmBias, s.vocab_size);
      break;
  }
  return t.modules;
}

void add_distilbert_layer_nodes(NodeTable& b, const std::string& model, const EncoderShape& shape) {
  for (int l = 0; l < shape.num_layers; ++l) {
    const std::string n = "distilbert.transformer.layer." + std::to_string(l) + ".";
    const std::string s =
        model + "Transformer[transformer]/ModuleList[layer]/TransformerBlock[" + std::to_string(l) + "]/";
    const std::string att = s + "MultiHeadSelfAttention[attention]/";
    b.activation(n + "attention.qkv_input", att + "qkv_input", NodeRole::kQkvInput, l);
    b.linear(n + "attention.q_lin", att + "NNCFLinear[q_lin]/", NodeRole::kQuery, l);
    b.linear(n + "attention.k_lin", att + "NNCFLinear[k_lin]/", NodeRole::kKey, l);
    b.linear(n + "attention.v_lin", att + "NNCFLinear[v_lin]/", NodeRole::kValue, l);
    b.op(n + "attention.truediv", att + "__truediv___0", l);  // Q / sqrt(head_dim), before the product
    b.activation(n + "attention.matmul_0_input_0", att + "matmul_0|INPUT0", NodeRole::kMatmul0Input0, l);
    b.activation(n + "attention.matmul_0_input_1", att + "matmul_0|INPUT1", NodeRole::kMatmul0Input1, l);
    b.op(n + "attention.matmul_0", att + "matmul_0", l);
    b.op(n + "attention.mask_eq", att + "__eq___0", l);
    b.op(n + "attention.masked_fill", att + "masked_fill_0", l);
    b.op(n + "attention.softmax", att + "softmax_0", l);
    b.op(n + "attention.dropout", att + "Dropout[dropout]/dropout_0", l);
    b.op(n + "attention.matmul_1", att + "matmul_1", l);
    b.linear(n + "attention.out_lin", att + "NNCFLinear[out_lin]/", NodeRole::kAttentionOutput, l);
    b.op(n + "sa_add", s + "__add___0", l);
    b.op(n + "sa_layer_norm", s + "NNCFLayerNorm[sa_layer_norm]/layer_norm_0", l);
    const std::string ffn = s + "FFN[ffn]/";
    b.linear(n + "ffn.lin1", ffn + "NNCFLinear[lin1]/", NodeRole::kIntermediate, l);
    b.op(n + "ffn.activation", ffn + activation_scope(shape.hidden_act, "activation"), l);
    b.linear(n + "ffn.lin2", ffn + "NNCFLinear[lin2]/", NodeRole::kOutput, l);
    b.op(n + "ffn.dropout", ffn + "Dropout[dropout]/dropout_0", l);
    b.op(n + "output_add", s + "__add___1", l);
    b.op(n + "output_layer_norm", s + "NNCFLayerNorm[output_layer_norm]/layer_norm_0", l);
  }
}

std::vector<NodeSpec> distilbert_nodes(const Architecture& a, const EncoderShape& s, TaskHead head) {
  NodeTable b;
  const std::string root = a.head_class(head) + "/";
  const std::string model = root + "DistilBertModel[distilbert]/";
  const std::string emb = model + "Embeddings[embeddings]/";
  b.embedding("distilbert.embeddings.word_embeddings", emb + "NNCFEmbedding[word_embeddings]/",
              NodeRole::kWordEmbeddings);
  b.embedding("distilbert.embeddings.position_embeddings", emb + "NNCFEmbedding[position_embeddings]/",
              NodeRole::kPositionEmbeddings);
  b.op("distilbert.embeddings.add", emb + "__add___0");
  b.op("distilbert.embeddings.LayerNorm", emb + "NNCFLayerNorm[LayerNorm]/layer_norm_0");
  b.op("distilbert.embeddings.dropout", emb + "Dropout[dropout]/dropout_0");
  add_distilbert_layer_nodes(b, model, s);
  switch (head) {
    case TaskHead::kSequenceClassification:
      b.op("first_token", root + "__getitem___0");
      b.linear("pre_classifier", root + "NNCFLinear[pre_classifier]/", NodeRole::kPreClassifier);
      b.op("relu", root + "ReLU/relu_0");  // nn.ReLU() built in forward(): no attribute name
      b.op("dropout", root + "Dropout[dropout]/dropout_0");
      b.linear("classifier", root + "NNCFLinear[classifier]/", NodeRole::kClassifier);
      break;
    case TaskHead::kQuestionAnswering:
      b.op("dropout", root + "Dropout[dropout]/dropout_0");
      b.linear("qa_outputs", root + "NNCFLinear[qa_outputs]/", NodeRole::kQaOutputs);
      break;
    case TaskHead::kMaskedLM:
      b.linear("vocab_transform", root + "NNCFLinear[vocab_transform]/", NodeRole::kMlmTransform);
      b.op("activation", root + activation_scope(s.hidden_act, "activation"));
      b.op("vocab_layer_norm", root + "NNCFLayerNorm[vocab_layer_norm]/layer_norm_0");
      // Tied to the word embeddings: an op node only, as for BERT.
      b.op("vocab_projector", root + "NNCFLinear[vocab_projector]/linear_0");
      break;
  }
  return b.nodes;
}

Architecture make_distilbert() {
  Architecture a;
  a.model_type = "distilbert";
  a.class_prefix = "DistilBert";
  a.base_prefix = "distilbert";
  a.base_children = {"embeddings", "transformer"};
  ConfigKeys& k = a.keys;
  k.hidden_size = "dim";
  k.num_hidden_layers = "n_layers";
  k.num_attention_heads = "n_heads";
  k.intermediate_size = "hidden_dim";
  k.hidden_act = "activation";
  k.hidden_dropout_prob = "dropout";
  k.attention_probs_dropout_prob = "attention_dropout";
  k.classifier_dropout = "seq_classif_dropout";
  k.layer_norm_eps = "";
  k.type_vocab_size = "";
  k.position_embedding_type = "";
  k.qa_dropout = "qa_dropout";
  k.sinusoidal_positions = "sinusoidal_pos_embds";
  a.defaults.num_hidden_layers = 6;
  a.defaults.classifier_dropout = 0.2;
  a.defaults.type_vocab_size = 0;
  a.token_type_embeddings = false;
  a.scale_query_before_scores = true;
  a.dropout_after_attention_output = false;
  a.classifier = ClassifierHead::kPreClassifierRelu;
  a.dropout_before_qa_outputs = true;
  a.mlm_decoder_weight_key = "vocab_projector.weight";
  a.mlm_bias_name = "vocab_projector.bias";
  a.modules = distilbert_modules;
  a.nodes = distilbert_nodes;
  return a;
}

}  // namespace

const Architecture& distilbert_architecture() {
  static const Architecture a = make_distilbert();
  return a;
}

}  // namespace jpqd::architecture
