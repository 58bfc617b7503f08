// One description per encoder family (BERT, DistilBERT, RoBERTa, XLM-RoBERTa): the Hugging Face config
// keys and key names, the NNCF scopes, the roles compression needs, the embeddings and the heads. model/,
// compression/, export/, format/ and runtime/ read these descriptions instead of spelling a family's names
// themselves; docs/architecture.md explains the split and docs/scopes.md lists the scopes.
//
// Adding a family is one file beside bert_family.cc that defines its Architecture, plus one line in
// architecture.cc's list.
#pragma once

#include <string>
#include <vector>

#include "architecture/encoder_shape.h"
#include "architecture/module_spec.h"
#include "architecture/roles.h"

namespace jpqd::architecture {

// config.json keys of the canonical config fields; "" when the family's config has no such key (the
// default below then holds for every checkpoint of the family).
struct ConfigKeys {
  std::string hidden_size = "hidden_size";
  std::string num_hidden_layers = "num_hidden_layers";
  std::string num_attention_heads = "num_attention_heads";
  std::string intermediate_size = "intermediate_size";
  std::string hidden_act = "hidden_act";
  std::string hidden_dropout_prob = "hidden_dropout_prob";
  std::string attention_probs_dropout_prob = "attention_probs_dropout_prob";
  std::string classifier_dropout = "classifier_dropout";
  std::string layer_norm_eps = "layer_norm_eps";
  std::string type_vocab_size = "type_vocab_size";
  std::string position_embedding_type = "position_embedding_type";
  std::string qa_dropout;            // DistilBERT: "qa_dropout"
  std::string sinusoidal_positions;  // DistilBERT: "sinusoidal_pos_embds"
};

// The family's config class defaults (what a config.json without the key means).
struct ConfigDefaults {
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  std::string hidden_act = "gelu";
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  double classifier_dropout = -1;  // < 0: null (falls back to hidden_dropout_prob)
  double qa_dropout = 0.1;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  int64_t pad_token_id = 0;
};

enum class PositionIds {
  kArange,              // 0, 1, ..., S-1 (BERT, DistilBERT)
  kCountingNonPadding,  // padding_idx + running count of non-pad tokens, pads at padding_idx (RoBERTa)
};

enum class ClassifierHead {
  kPooledTanh,        // BERT: tanh(pooler.dense(first token)) -> dropout -> classifier
  kDenseTanhOutProj,  // RoBERTa: first token -> dropout -> dense -> tanh -> dropout -> out_proj
  kPreClassifierRelu, // DistilBERT: first token -> pre_classifier -> ReLU -> dropout -> classifier
};

struct CheckpointKey {
  std::string name;   // the family's canonical name, or "" when HF ignores the key silently
  bool tied = false;  // a tied copy: used only when the canonical tensor is absent
};

struct Architecture {
  std::string model_type;    // config.json "model_type": "bert", "distilbert", "roberta", "xlm-roberta"
  std::string class_prefix;  // "Bert", "DistilBert", "Roberta", "XLMRoberta"
  std::string base_prefix;   // the base model's attribute: "bert", "distilbert", "roberta"
  // Children of the base model, so that keys saved from a bare base model (without the prefix) are found.
  std::vector<std::string> base_children;
  ConfigKeys keys;
  ConfigDefaults defaults;

  bool token_type_embeddings = true;
  PositionIds position_ids = PositionIds::kArange;
  bool position_padding_row = false;         // the position table has padding_idx = pad_token_id (RoBERTa)
  bool scale_query_before_scores = false;    // DistilBERT divides Q by sqrt(head_dim) before Q·Kᵀ
  bool dropout_after_attention_output = true;  // DistilBERT's out_lin has no dropout after it
  ClassifierHead classifier = ClassifierHead::kPooledTanh;
  bool dropout_before_qa_outputs = false;    // DistilBERT's qa_dropout
  bool mlm_exact_gelu = false;               // RoBERTa's lm_head applies gelu whatever hidden_act says
  bool pooler_in_sequence_classification = false;
  // Tied masked-LM decoder: the key of its weight (a copy of the word embeddings) and of its bias copy.
  std::string mlm_decoder_weight_key;
  std::string mlm_decoder_bias_key;           // "" when the decoder's bias is the canonical tensor itself
  std::string mlm_bias_name;                  // the canonical name of the decoder's vocabulary bias

  // The family's tables for a model of `shape` with `head`: modules in HF state-dict order, nodes in
  // forward order.
  std::vector<ModuleSpec> (*modules)(const Architecture&, const EncoderShape&, TaskHead) = nullptr;
  std::vector<NodeSpec> (*nodes)(const Architecture&, const EncoderShape&, TaskHead) = nullptr;

  // "<Prefix>ForSequenceClassification", "<Prefix>ForQuestionAnswering", "<Prefix>ForMaskedLM".
  std::string head_class(TaskHead head) const;
  std::string base_class() const { return class_prefix + "Model"; }
  std::vector<TensorSpec> tensors(const EncoderShape& shape, TaskHead head) const {
    return tensors_of(modules(*this, shape, head));
  }
  // What a checkpoint key means for a model with `head`: legacy "*.gamma"/"*.beta" -> weight/bias,
  // base-model keys without the prefix get it, tied copies map onto the tensor they share, keys HF ignores
  // silently ("*.position_ids", a pooler the head does not use) -> "".
  CheckpointKey canonical_key(const std::string& key, TaskHead head) const;
  // The model-file name of a Hugging Face name: without the base prefix ("encoder.layer.0....").
  std::string file_name(const std::string& hf_name) const;
  // The Hugging Face module path of the module with `role` in `layer` (-1 outside the encoder), or "".
  std::string module_path(NodeRole role, int layer = -1) const;
  // True when `key` names a tensor of this family's base model (with or without the prefix).
  bool owns_key(const std::string& key) const;
};

// The description of `model_type`; a FormatError naming `where` (the file it came from), the value and
// the known ones when unknown.
const Architecture& architecture_for(const std::string& model_type, const std::string& where);
// Every family, BERT first.
const std::vector<const Architecture*>& all_architectures();
// "bert, distilbert, roberta, xlm-roberta".
std::string known_model_types();

// The family files (one per family).
const Architecture& bert_architecture();
const Architecture& distilbert_architecture();
const Architecture& roberta_architecture();
const Architecture& xlm_roberta_architecture();

}  // namespace jpqd::architecture
