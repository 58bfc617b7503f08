// RoBERTa and XLM-RoBERTa (transformers' modeling_roberta.py and modeling_xlm_roberta.py): BERT's layers
// under "roberta.", positions counted over non-pad tokens from padding_idx + 1, no pooler in any head, a
// classification head of its own (classifier.dense -> tanh -> classifier.out_proj) and the masked-LM head
// lm_head (dense -> exact gelu -> layer_norm -> decoder tied to the word embeddings). XLM-R is the same
// architecture with its own class names.
#include "architecture/architecture.h"
#include "architecture/bert_like_layers.h"

namespace jpqd::architecture {

namespace {

std::vector<ModuleSpec> roberta_modules(const Architecture&, const EncoderShape& s, TaskHead head) {
  ModuleTable t;
  const int64_t h = s.hidden_size;
  t.embedding("roberta.embeddings.word_embeddings", NodeRole::kWordEmbeddings, s.vocab_size, h, s.pad_token_id);
  t.embedding("roberta.embeddings.position_embeddings", NodeRole::kPositionEmbeddings, s.max_position_embeddings, h,
              s.pad_token_id);
  t.embedding("roberta.embeddings.token_type_embeddings", NodeRole::kTokenTypeEmbeddings, s.type_vocab_size, h);
  t.layer_norm("roberta.embeddings.LayerNorm", NodeRole::kEmbeddingsLayerNorm, -1, h);
  add_bert_like_layer_modules(t, "roberta", s);
  switch (head) {
    case TaskHead::kSequenceClassification:
      t.linear("classifier.dense", NodeRole::kPreClassifier, -1, h, h);
      t.linear("classifier.out_proj", NodeRole::kClassifier, -1, h, s.num_labels);
      break;
    case TaskHead::kQuestionAnswering:
      t.linear("qa_outputs", NodeRole::kQaOutputs, -1, h, 2);
      break;
    case TaskHead::kMaskedLM:
      t.bias("lm_head.bias", NodeRole::kMlmBias, s.vocab_size);
      t.linear("lm_head.dense", NodeRole::kMlmTransform, -1, h, h);
      t.layer_norm("lm_head.layer_norm", NodeRole::kMlmLayerNorm, -1, h);
      break;
  }
  return t.modules;
}

std::vector<NodeSpec> roberta_nodes(const Architecture& a, const EncoderShape& s, TaskHead head) {
  NodeTable b;
  const std::string& cls = a.class_prefix;
  const std::string root = a.head_class(head) + "/";
  const std::string model = root + a.base_class() + "[roberta]/";
  const std::string emb = model + cls + "Embeddings[embeddings]/";
  // create_position_ids_from_input_ids: (cumsum(ids != pad) + past_length) * (ids != pad) + padding_idx.
  b.op("roberta.embeddings.position_ids.ne", emb + "ne_0");
  b.op("roberta.embeddings.position_ids.cumsum", emb + "cumsum_0");
  b.op("roberta.embeddings.position_ids.add_past", emb + "__add___0");
  b.op("roberta.embeddings.position_ids.mul", emb + "__mul___0");
  b.op("roberta.embeddings.position_ids.add_padding_idx", emb + "__add___1");
  b.embedding("roberta.embeddings.word_embeddings", emb + "NNCFEmbedding[word_embeddings]/",
              NodeRole::kWordEmbeddings);
  b.embedding("roberta.embeddings.token_type_embeddings", emb + "NNCFEmbedding[token_type_embeddings]/",
              NodeRole::kTokenTypeEmbeddings);
  b.op("roberta.embeddings.add", emb + "__add___2");
  b.embedding("roberta.embeddings.position_embeddings", emb + "NNCFEmbedding[position_embeddings]/",
              NodeRole::kPositionEmbeddings);
  b.op("roberta.embeddings.iadd", emb + "__iadd___0");
  b.op("roberta.embeddings.LayerNorm", emb + "NNCFLayerNorm[LayerNorm]/layer_norm_0");
  b.op("roberta.embeddings.dropout", emb + "Dropout[dropout]/dropout_0");
  add_extended_mask_nodes(b, "roberta", model);
  add_bert_like_layer_nodes(b, "roberta", cls, model, s);
  switch (head) {
    case TaskHead::kSequenceClassification: {
      const std::string c = root + cls + "ClassificationHead[classifier]/";
      b.op("classifier.first_token", c + "__getitem___0");
      b.op("classifier.dropout", c + "Dropout[dropout]/dropout_0");
      b.linear("classifier.dense", c + "NNCFLinear[dense]/", NodeRole::kPreClassifier);
      b.op("classifier.tanh", c + "tanh_0");
      b.op("classifier.dropout_1", c + "Dropout[dropout]/dropout_1");
      b.linear("classifier.out_proj", c + "NNCFLinear[out_proj]/", NodeRole::kClassifier);
      break;
    }
    case TaskHead::kQuestionAnswering:
      b.linear("qa_outputs", root + "NNCFLinear[qa_outputs]/", NodeRole::kQaOutputs);
      break;
    case TaskHead::kMaskedLM: {
      const std::string lm = root + cls + "LMHead[lm_head]/";
      b.linear("lm_head.dense", lm + "NNCFLinear[dense]/", NodeRole::kMlmTransform);
      b.op("lm_head.gelu", lm + "gelu_0");
      b.op("lm_head.layer_norm", lm + "NNCFLayerNorm[layer_norm]/layer_norm_0");
      // Tied to the word embeddings: an op node only, as for BERT.
      b.op("lm_head.decoder", lm + "NNCFLinear[decoder]/linear_0");
      break;
    }
  }
  return b.nodes;
}

Architecture make_roberta_like(const std::string& model_type, const std::string& class_prefix, int64_t vocab_size) {
  Architecture a;
  a.model_type = model_type;
  a.class_prefix = class_prefix;
  a.base_prefix = "roberta";
  a.base_children = {"embeddings", "encoder", "pooler"};
  a.defaults.vocab_size = vocab_size;
  a.defaults.pad_token_id = 1;
  a.position_ids = PositionIds::kCountingNonPadding;
  a.position_padding_row = true;
  a.classifier = ClassifierHead::kDenseTanhOutProj;
  a.mlm_exact_gelu = true;
  a.mlm_decoder_weight_key = "lm_head.decoder.weight";
  a.mlm_decoder_bias_key = "lm_head.decoder.bias";
  a.mlm_bias_name = "lm_head.bias";
  a.modules = roberta_modules;
  a.nodes = roberta_nodes;
  return a;
}

}  // namespace

// Config class defaults: RobertaConfig's vocabulary is roberta-base's, XLMRobertaConfig keeps BERT's.
const Architecture& roberta_architecture() {
  static const Architecture a = make_roberta_like("roberta", "Roberta", 50265);
  return a;
}

const Architecture& xlm_roberta_architecture() {
  static const Architecture a = make_roberta_like("xlm-roberta", "XLMRoberta", 30522);
  return a;
}

}  // namespace jpqd::architecture
