// BERT (transformers' modeling_bert.py): token types, absolute positions 0..S-1, a pooler (tanh on [CLS])
// under sequence classification only, the masked-LM head cls.predictions with its decoder tied to the
// word embeddings.
#include "architecture/architecture.h"
#include "architecture/bert_like_layers.h"

namespace jpqd::architecture {

namespace {

std::vector<ModuleSpec> bert_modules(const Architecture&, const EncoderShape& s, TaskHead head) {
  ModuleTable t;
  const int64_t h = s.hidden_size;
  t.embedding("bert.embeddings.word_embeddings", NodeRole::kWordEmbeddings, s.vocab_size, h, s.pad_token_id);
  t.embedding("bert.embeddings.position_embeddings", NodeRole::kPositionEmbeddings, s.max_position_embeddings, h);
  t.embedding("bert.embeddings.token_type_embeddings", NodeRole::kTokenTypeEmbeddings, s.type_vocab_size, h);
  t.layer_norm("bert.embeddings.LayerNorm", NodeRole::kEmbeddingsLayerNorm, -1, h);
  add_bert_like_layer_modules(t, "bert", s);
  switch (head) {
    case TaskHead::kSequenceClassification:
      t.linear("bert.pooler.dense", NodeRole::kPooler, -1, h, h);
      t.linear("classifier", NodeRole::kClassifier, -1, h, s.num_labels);
      break;
    case TaskHead::kQuestionAnswering:
      t.linear("qa_outputs", NodeRole::kQaOutputs, -1, h, 2);
      break;
    case TaskHead::kMaskedLM:
      // The decoder weight is the word-embedding table (tied), so it is not a tensor of its own.
      t.bias("cls.predictions.bias", NodeRole::kMlmBias, s.vocab_size);
      t.linear("cls.predictions.transform.dense", NodeRole::kMlmTransform, -1, h, h);
      t.layer_norm("cls.predictions.transform.LayerNorm", NodeRole::kMlmLayerNorm, -1, h);
      break;
  }
  return t.modules;
}

std::vector<NodeSpec> bert_nodes(const Architecture& a, const EncoderShape& s, TaskHead head) {
  NodeTable b;
  const std::string root = a.head_class(head) + "/";
  const std::string model = root + "BertModel[bert]/";
  const std::string emb = model + "BertEmbeddings[embeddings]/";
  b.embedding("bert.embeddings.word_embeddings", emb + "NNCFEmbedding[word_embeddings]/", NodeRole::kWordEmbeddings);
  b.embedding("bert.embeddings.token_type_embeddings", emb + "NNCFEmbedding[token_type_embeddings]/",
              NodeRole::kTokenTypeEmbeddings);
  b.op("bert.embeddings.add", emb + "__add___0");
  b.embedding("bert.embeddings.position_embeddings", emb + "NNCFEmbedding[position_embeddings]/",
              NodeRole::kPositionEmbeddings);
  b.op("bert.embeddings.iadd", emb + "__iadd___0");
  b.op("bert.embeddings.LayerNorm", emb + "NNCFLayerNorm[LayerNorm]/layer_norm_0");
  b.op("bert.embeddings.dropout", emb + "Dropout[dropout]/dropout_0");
  add_extended_mask_nodes(b, "bert", model);
  add_bert_like_layer_nodes(b, "bert", "Bert", model, s);
  switch (head) {
    case TaskHead::kSequenceClassification: {
      const std::string pool = model + "BertPooler[pooler]/";
      b.op("bert.pooler.first_token", pool + "__getitem___0");
      b.linear("bert.pooler.dense", pool + "NNCFLinear[dense]/", NodeRole::kPooler);
      b.op("bert.pooler.activation", pool + "Tanh[activation]/tanh_0");
      b.op("dropout", root + "Dropout[dropout]/dropout_0");
      b.linear("classifier", root + "NNCFLinear[classifier]/", NodeRole::kClassifier);
      break;
    }
    case TaskHead::kQuestionAnswering:
      b.linear("qa_outputs", root + "NNCFLinear[qa_outputs]/", NodeRole::kQaOutputs);
      break;
    case TaskHead::kMaskedLM: {
      const std::string pred = root + "BertOnlyMLMHead[cls]/BertLMPredictionHead[predictions]/";
      const std::string tr = pred + "BertPredictionHeadTransform[transform]/";
      b.linear("cls.predictions.transform.dense", tr + "NNCFLinear[dense]/", NodeRole::kMlmTransform);
      b.op("cls.predictions.transform.transform_act_fn", tr + activation_scope(s.hidden_act, "transform_act_fn"));
      b.op("cls.predictions.transform.LayerNorm", tr + "NNCFLayerNorm[LayerNorm]/layer_norm_0");
      // Tied to the word embeddings: an op node only, so compression never owns the shared table twice.
      b.op("cls.predictions.decoder", pred + "NNCFLinear[decoder]/linear_0");
      break;
    }
  }
  return b.nodes;
}

Architecture make_bert() {
  Architecture a;
  a.model_type = "bert";
  a.class_prefix = "Bert";
  a.base_prefix = "bert";
  a.base_children = {"embeddings", "encoder", "pooler"};
  a.pooler_in_sequence_classification = true;
  a.mlm_decoder_weight_key = "cls.predictions.decoder.weight";
  a.mlm_decoder_bias_key = "cls.predictions.decoder.bias";
  a.mlm_bias_name = "cls.predictions.bias";
  a.modules = bert_modules;
  a.nodes = bert_nodes;
  return a;
}

}  // namespace

const Architecture& bert_architecture() {
  static const Architecture a = make_bert();
  return a;
}

}  // namespace jpqd::architecture
