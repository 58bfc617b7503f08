// The config of every encoder family (BertConfig, DistilBertConfig, RobertaConfig, XLMRobertaConfig):
// every field of config.json that changes the model's behaviour, under canonical (BERT) names. Each
// family's own keys (DistilBERT's dim, n_layers, ...) and defaults come from its description
// (architecture/architecture.h); model_type selects it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "architecture/architecture.h"
#include "common/json_util.h"

namespace jpqd::model {

struct BertConfig {
  int64_t vocab_size = 30522;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  std::string hidden_act = "gelu";  // gelu (exact erf), gelu_new (tanh approximation), relu
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double initializer_range = 0.02;
  double layer_norm_eps = 1e-12;
  int64_t pad_token_id = 0;
  std::string position_embedding_type = "absolute";  // only "absolute" is supported
  std::optional<double> classifier_dropout;          // null -> hidden_dropout_prob
  std::vector<std::string> architectures;
  std::string problem_type;  // "", single_label_classification, multi_label_classification, regression
  std::map<int64_t, std::string> id2label;
  std::string model_type = "bert";  // the family: bert, distilbert, roberta, xlm-roberta
  double qa_dropout = 0.1;             // DistilBERT: dropout before qa_outputs
  bool sinusoidal_pos_embds = false;   // DistilBERT: fixed sinusoidal position table
  std::string torch_dtype = "float32";
  // Pruned models (exported from JPQD) keep a per-layer head count and FFN width; empty = dense.
  std::vector<int64_t> heads_per_layer;
  std::vector<int64_t> intermediate_per_layer;
  // Any other keys, written back unchanged on save so nothing a user had is lost.
  Json extra = Json::object();

  int64_t num_labels() const { return id2label.empty() ? 2 : static_cast<int64_t>(id2label.size()); }
  int64_t head_dim() const { return hidden_size / num_attention_heads; }
  // The family's description; FormatError for an unknown model_type.
  const architecture::Architecture& architecture() const;
  // The sizes the family's tables need.
  architecture::EncoderShape shape() const;
  // Heads and FFN width of encoder layer `layer` (per-layer lists of pruned models, else the dense sizes).
  int64_t layer_heads(int64_t layer) const;
  int64_t layer_intermediate(int64_t layer) const;

  static BertConfig from_json(const Json& j, const std::string& where);
  static BertConfig from_file(const std::string& path);
  Json to_json() const;
  // Checks internal consistency (hidden divisible by heads, known activation, ...).
  void validate(const std::string& where) const;
  // The defaults of `model_type`'s config class (FormatError naming `where` when the family is unknown).
  static BertConfig defaults_for(const std::string& model_type, const std::string& where);
  // bert-tiny, bert-mini, bert-small, bert-medium, bert-base, bert-large; distilbert-tiny, distilbert-base;
  // roberta-tiny, roberta-base; xlm-roberta-tiny, xlm-roberta-base; nullopt when unknown.
  static std::optional<BertConfig> named_shape(const std::string& name);
  static std::vector<std::string> named_shapes();
  void set_num_labels(int64_t n);
};

}  // namespace jpqd::model
