#include "model/bert_config.h"

#include <cmath>
#include <set>

#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"

namespace jpqd::model {

namespace {

// config.json is outside data: a wrong type is a corrupt file, named with its key.
const Json* find(const Json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

int64_t read_int(const Json& j, const char* key, int64_t fallback, const std::string& where) {
  const Json* v = find(j, key);
  if (!v) return fallback;
  // Range first: casting a double outside int64's range (1e300) is undefined behaviour.
  const bool integral = v->is_number_integer() || (v->is_number_float() && std::fabs(v->get<double>()) < 9.2e18 &&
                                                   std::floor(v->get<double>()) == v->get<double>());
  JPQD_CHECK(integral, FormatError, where, ": \"", key, "\" must be an integer, got ", v->dump());
  return v->is_number_integer() ? v->get<int64_t>() : static_cast<int64_t>(v->get<double>());
}

double read_double(const Json& j, const char* key, double fallback, const std::string& where) {
  const Json* v = find(j, key);
  if (!v) return fallback;
  JPQD_CHECK(v->is_number(), FormatError, where, ": \"", key, "\" must be a number, got ", v->dump());
  return v->get<double>();
}

std::string read_string(const Json& j, const char* key, const std::string& fallback, const std::string& where) {
  const Json* v = find(j, key);
  if (!v) return fallback;
  JPQD_CHECK(v->is_string(), FormatError, where, ": \"", key, "\" must be a string, got ", v->dump());
  return v->get<std::string>();
}

std::vector<int64_t> read_int_list(const Json& j, const char* key, const std::string& where) {
  const Json* v = find(j, key);
  if (!v) return {};
  JPQD_CHECK(v->is_array(), FormatError, where, ": \"", key, "\" must be a list of integers, got ", v->dump());
  std::vector<int64_t> out;
  for (const auto& e : *v) {
    JPQD_CHECK(e.is_number_integer(), FormatError, where, ": \"", key, "\" must hold integers, got ", e.dump());
    out.push_back(e.get<int64_t>());
  }
  return out;
}

int64_t parse_label_id(const std::string& key, const std::string& where) {
  size_t used = 0;
  int64_t id = -1;
  try {
    id = std::stoll(key, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  JPQD_CHECK(used == key.size() && id >= 0, FormatError, where, ": id2label key \"", key,
             "\" is not a non-negative integer");
  return id;
}

// Keys read into named fields (the family's spellings); every other key is kept in `extra`.
std::set<std::string> known_keys(const architecture::ConfigKeys& k) {
  std::set<std::string> keys = {"vocab_size", "max_position_embeddings", "initializer_range", "pad_token_id",
                                "architectures", "problem_type", "id2label", "label2id", "num_labels", "model_type",
                                "torch_dtype", "heads_per_layer", "intermediate_per_layer"};
  for (const std::string* key : {&k.hidden_size, &k.num_hidden_layers, &k.num_attention_heads, &k.intermediate_size,
                                 &k.hidden_act, &k.hidden_dropout_prob, &k.attention_probs_dropout_prob,
                                 &k.classifier_dropout, &k.layer_norm_eps, &k.type_vocab_size,
                                 &k.position_embedding_type, &k.qa_dropout, &k.sinusoidal_positions})
    if (!key->empty()) keys.insert(*key);
  return keys;
}

void check_probability(double p, const char* key, const std::string& where) {
  JPQD_CHECK(p >= 0.0 && p < 1.0, FormatError, where, ": ", key, " must be in [0, 1), got ", p);
}

}  // namespace

BertConfig BertConfig::from_json(const Json& j, const std::string& where) {
  JPQD_CHECK(j.is_object(), FormatError, where, ": a model config must be a JSON object");
  BertConfig c = defaults_for(read_string(j, "model_type", "bert", where), where);
  const architecture::ConfigKeys& k = c.architecture().keys;
  // Keys the family does not have ("" in its description) keep the family's fixed values.
  auto int_field = [&](const std::string& key, int64_t& field) {
    if (!key.empty()) field = read_int(j, key.c_str(), field, where);
  };
  auto double_field = [&](const std::string& key, double& field) {
    if (!key.empty()) field = read_double(j, key.c_str(), field, where);
  };
  auto string_field = [&](const std::string& key, std::string& field) {
    if (!key.empty()) field = read_string(j, key.c_str(), field, where);
  };
  c.vocab_size = read_int(j, "vocab_size", c.vocab_size, where);
  int_field(k.hidden_size, c.hidden_size);
  int_field(k.num_hidden_layers, c.num_hidden_layers);
  int_field(k.num_attention_heads, c.num_attention_heads);
  int_field(k.intermediate_size, c.intermediate_size);
  string_field(k.hidden_act, c.hidden_act);
  double_field(k.hidden_dropout_prob, c.hidden_dropout_prob);
  double_field(k.attention_probs_dropout_prob, c.attention_probs_dropout_prob);
  c.max_position_embeddings = read_int(j, "max_position_embeddings", c.max_position_embeddings, where);
  int_field(k.type_vocab_size, c.type_vocab_size);
  c.initializer_range = read_double(j, "initializer_range", c.initializer_range, where);
  double_field(k.layer_norm_eps, c.layer_norm_eps);
  c.pad_token_id = read_int(j, "pad_token_id", c.pad_token_id, where);
  string_field(k.position_embedding_type, c.position_embedding_type);
  if (!k.classifier_dropout.empty() && find(j, k.classifier_dropout.c_str()))
    c.classifier_dropout = read_double(j, k.classifier_dropout.c_str(), 0, where);
  double_field(k.qa_dropout, c.qa_dropout);
  if (!k.sinusoidal_positions.empty()) {
    if (const Json* v = find(j, k.sinusoidal_positions.c_str())) {
      JPQD_CHECK(v->is_boolean(), FormatError, where, ": \"", k.sinusoidal_positions, "\" must be true or false, got ",
                 v->dump());
      c.sinusoidal_pos_embds = v->get<bool>();
    }
  }
  if (const Json* v = find(j, "architectures")) {
    JPQD_CHECK(v->is_array(), FormatError, where, ": \"architectures\" must be a list of strings");
    for (const auto& a : *v) {
      JPQD_CHECK(a.is_string(), FormatError, where, ": \"architectures\" must be a list of strings, got ", a.dump());
      c.architectures.push_back(a.get<std::string>());
    }
  }
  c.problem_type = read_string(j, "problem_type", "", where);
  c.torch_dtype = read_string(j, "torch_dtype", c.torch_dtype, where);
  c.heads_per_layer = read_int_list(j, "heads_per_layer", where);
  c.intermediate_per_layer = read_int_list(j, "intermediate_per_layer", where);

  // Labels as HF's PretrainedConfig reads them: id2label wins over num_labels; keys are strings.
  if (const Json* v = find(j, "id2label")) {
    JPQD_CHECK(v->is_object(), FormatError, where, ": \"id2label\" must be an object");
    for (const auto& item : v->items()) {
      JPQD_CHECK(item.value().is_string(), FormatError, where, ": id2label[\"", item.key(), "\"] must be a string");
      c.id2label[parse_label_id(item.key(), where)] = item.value().get<std::string>();
    }
    for (int64_t i = 0; i < static_cast<int64_t>(c.id2label.size()); ++i)
      JPQD_CHECK(c.id2label.count(i), FormatError, where, ": id2label must number the labels 0..",
                 c.id2label.size() - 1, " without gaps; ", i, " is missing");
  }
  if (find(j, "num_labels")) {
    const int64_t n = read_int(j, "num_labels", 0, where);
    if (c.id2label.empty()) {
      c.set_num_labels(n);
    } else if (n != c.num_labels()) {
      log_warning(where, ": num_labels (", n, ") disagrees with id2label (", c.num_labels(),
                  " labels); using id2label as Hugging Face does");
    }
  }
  if (const Json* v = find(j, "label2id")) {
    JPQD_CHECK(v->is_object(), FormatError, where, ": \"label2id\" must be an object");
    for (const auto& item : v->items()) {
      JPQD_CHECK(item.value().is_number_integer(), FormatError, where, ": label2id[\"", item.key(),
                 "\"] must be an integer");
      const int64_t id = item.value().get<int64_t>();
      auto it = c.id2label.find(id);
      JPQD_CHECK(it != c.id2label.end() && it->second == item.key(), FormatError, where, ": label2id[\"", item.key(),
                 "\"] = ", id, " disagrees with id2label");
    }
  }
  if (const Json* v = find(j, "pruned_heads"))
    JPQD_CHECK(!v->is_object() || v->empty(), FormatError, where,
               ": \"pruned_heads\" is not supported; pruned models use heads_per_layer");
  const std::set<std::string> known = known_keys(k);
  for (const auto& item : j.items())
    if (!known.count(item.key())) c.extra[item.key()] = item.value();
  c.validate(where);
  return c;
}

BertConfig BertConfig::from_file(const std::string& path) { return from_json(read_json_file(path), path); }

Json BertConfig::to_json() const {
  const architecture::ConfigKeys& k = architecture().keys;
  Json j = extra.is_object() ? extra : Json::object();
  auto put = [&](const std::string& key, Json value) {
    if (!key.empty()) j[key] = std::move(value);
  };
  if (!architectures.empty()) j["architectures"] = architectures;
  put(k.attention_probs_dropout_prob, attention_probs_dropout_prob);
  put(k.classifier_dropout, classifier_dropout ? Json(*classifier_dropout) : Json(nullptr));
  put(k.hidden_act, hidden_act);
  put(k.hidden_dropout_prob, hidden_dropout_prob);
  put(k.hidden_size, hidden_size);
  Json id2 = Json::object(), label2 = Json::object();
  const int64_t n = num_labels();
  for (int64_t i = 0; i < n; ++i) {
    auto it = id2label.find(i);
    const std::string label = it != id2label.end() ? it->second : "LABEL_" + std::to_string(i);
    id2[std::to_string(i)] = label;
    label2[label] = i;
  }
  j["id2label"] = id2;
  j["label2id"] = label2;
  j["initializer_range"] = initializer_range;
  put(k.intermediate_size, intermediate_size);
  put(k.layer_norm_eps, layer_norm_eps);
  j["max_position_embeddings"] = max_position_embeddings;
  j["model_type"] = model_type;
  put(k.num_attention_heads, num_attention_heads);
  put(k.num_hidden_layers, num_hidden_layers);
  j["pad_token_id"] = pad_token_id;
  put(k.position_embedding_type, position_embedding_type);
  put(k.qa_dropout, qa_dropout);
  put(k.sinusoidal_positions, sinusoidal_pos_embds);
  if (!problem_type.empty()) j["problem_type"] = problem_type;
  j["torch_dtype"] = torch_dtype;
  put(k.type_vocab_size, type_vocab_size);
  j["vocab_size"] = vocab_size;
  if (!heads_per_layer.empty()) j["heads_per_layer"] = heads_per_layer;
  if (!intermediate_per_layer.empty()) j["intermediate_per_layer"] = intermediate_per_layer;
  return j;
}

void BertConfig::validate(const std::string& where) const {
  auto positive = [&](int64_t v, const char* key) {
    JPQD_CHECK(v > 0, FormatError, where, ": ", key, " must be positive, got ", v);
  };
  positive(vocab_size, "vocab_size");
  positive(hidden_size, "hidden_size");
  positive(num_hidden_layers, "num_hidden_layers");
  positive(num_attention_heads, "num_attention_heads");
  positive(intermediate_size, "intermediate_size");
  positive(max_position_embeddings, "max_position_embeddings");
  const architecture::Architecture& arch = architecture::architecture_for(model_type, where);
  if (arch.token_type_embeddings) positive(type_vocab_size, "type_vocab_size");
  JPQD_CHECK(hidden_size % num_attention_heads == 0, FormatError, where, ": hidden_size ", hidden_size,
             " is not a multiple of num_attention_heads ", num_attention_heads);
  static const std::set<std::string> acts = {"gelu", "gelu_python", "gelu_new", "gelu_pytorch_tanh", "gelu_fast",
                                             "relu"};
  JPQD_CHECK(acts.count(hidden_act), FormatError, where, ": hidden_act \"", hidden_act,
             "\" is not supported (gelu, gelu_python, gelu_new, gelu_pytorch_tanh, gelu_fast, relu)");
  JPQD_CHECK(position_embedding_type == "absolute", FormatError, where, ": position_embedding_type \"",
             position_embedding_type, "\" is not supported (only \"absolute\")");
  if (arch.position_ids == architecture::PositionIds::kCountingNonPadding)
    JPQD_CHECK(max_position_embeddings > pad_token_id + 1, FormatError, where, ": max_position_embeddings ",
               max_position_embeddings, " leaves no position after padding_idx ", pad_token_id);
  check_probability(hidden_dropout_prob, "hidden_dropout_prob", where);
  check_probability(qa_dropout, "qa_dropout", where);
  check_probability(attention_probs_dropout_prob, "attention_probs_dropout_prob", where);
  if (classifier_dropout) check_probability(*classifier_dropout, "classifier_dropout", where);
  JPQD_CHECK(layer_norm_eps > 0 && std::isfinite(layer_norm_eps), FormatError, where,
             ": layer_norm_eps must be positive, got ", layer_norm_eps);
  JPQD_CHECK(initializer_range >= 0 && std::isfinite(initializer_range), FormatError, where,
             ": initializer_range must be non-negative, got ", initializer_range);
  JPQD_CHECK(pad_token_id >= 0 && pad_token_id < vocab_size, FormatError, where, ": pad_token_id ", pad_token_id,
             " is outside the vocabulary of ", vocab_size);
  static const std::set<std::string> problems = {"", "single_label_classification", "multi_label_classification",
                                                 "regression"};
  JPQD_CHECK(problems.count(problem_type), FormatError, where, ": problem_type \"", problem_type,
             "\" is not one of regression, single_label_classification, multi_label_classification");
  if (!heads_per_layer.empty()) {
    JPQD_CHECK(static_cast<int64_t>(heads_per_layer.size()) == num_hidden_layers, FormatError, where,
               ": heads_per_layer has ", heads_per_layer.size(), " entries for ", num_hidden_layers, " layers");
    for (size_t i = 0; i < heads_per_layer.size(); ++i)
      JPQD_CHECK(heads_per_layer[i] >= 0 && heads_per_layer[i] <= num_attention_heads, FormatError, where,
                 ": heads_per_layer[", i, "] = ", heads_per_layer[i], " is outside 0..", num_attention_heads);
  }
  if (!intermediate_per_layer.empty()) {
    JPQD_CHECK(static_cast<int64_t>(intermediate_per_layer.size()) == num_hidden_layers, FormatError, where,
               ": intermediate_per_layer has ", intermediate_per_layer.size(), " entries for ", num_hidden_layers,
               " layers");
    for (size_t i = 0; i < intermediate_per_layer.size(); ++i)
      JPQD_CHECK(intermediate_per_layer[i] >= 0 && intermediate_per_layer[i] <= intermediate_size, FormatError, where,
                 ": intermediate_per_layer[", i, "] = ", intermediate_per_layer[i], " is outside 0..",
                 intermediate_size);
  }
}

BertConfig BertConfig::defaults_for(const std::string& model_type, const std::string& where) {
  const architecture::Architecture& arch = architecture::architecture_for(model_type, where);
  const architecture::ConfigDefaults& d = arch.defaults;
  BertConfig c;
  c.model_type = arch.model_type;
  c.vocab_size = d.vocab_size;
  c.hidden_size = d.hidden_size;
  c.num_hidden_layers = d.num_hidden_layers;
  c.num_attention_heads = d.num_attention_heads;
  c.intermediate_size = d.intermediate_size;
  c.hidden_act = d.hidden_act;
  c.hidden_dropout_prob = d.hidden_dropout_prob;
  c.attention_probs_dropout_prob = d.attention_probs_dropout_prob;
  if (d.classifier_dropout >= 0) c.classifier_dropout = d.classifier_dropout;
  c.qa_dropout = d.qa_dropout;
  c.max_position_embeddings = d.max_position_embeddings;
  c.type_vocab_size = d.type_vocab_size;
  c.layer_norm_eps = d.layer_norm_eps;
  c.pad_token_id = d.pad_token_id;
  return c;
}

namespace {

struct NamedShape {
  const char* name;
  const char* model_type;
  int64_t layers, hidden, heads, ffn;
};
// BERT's sizes over bert-base-uncased's vocabulary; the other families over their base checkpoint's
// vocabulary, positions and LayerNorm eps (roberta-base, xlm-roberta-base: 514 positions from padding_idx 1).
constexpr NamedShape kNamedShapes[] = {
    {"bert-tiny", "bert", 2, 128, 2, 512},          {"bert-mini", "bert", 4, 256, 4, 1024},
    {"bert-small", "bert", 4, 512, 8, 2048},        {"bert-medium", "bert", 8, 512, 8, 2048},
    {"bert-base", "bert", 12, 768, 12, 3072},       {"bert-large", "bert", 24, 1024, 16, 4096},
    {"distilbert-tiny", "distilbert", 2, 128, 2, 512}, {"distilbert-base", "distilbert", 6, 768, 12, 3072},
    {"roberta-tiny", "roberta", 2, 128, 2, 512},    {"roberta-base", "roberta", 12, 768, 12, 3072},
    {"xlm-roberta-tiny", "xlm-roberta", 2, 128, 2, 512}, {"xlm-roberta-base", "xlm-roberta", 12, 768, 12, 3072}};

}  // namespace

std::vector<std::string> BertConfig::named_shapes() {
  std::vector<std::string> names;
  for (const auto& s : kNamedShapes) names.emplace_back(s.name);
  return names;
}

std::optional<BertConfig> BertConfig::named_shape(const std::string& name) {
  for (const auto& s : kNamedShapes) {
    if (name != s.name) continue;
    BertConfig c = defaults_for(s.model_type, name);
    c.num_hidden_layers = s.layers;
    c.hidden_size = s.hidden;
    c.num_attention_heads = s.heads;
    c.intermediate_size = s.ffn;
    if (c.model_type == "roberta" || c.model_type == "xlm-roberta") {
      c.vocab_size = c.model_type == "roberta" ? 50265 : 250002;
      c.max_position_embeddings = 514;
      c.type_vocab_size = 1;
      c.layer_norm_eps = 1e-5;
    }
    return c;
  }
  return std::nullopt;
}

void BertConfig::set_num_labels(int64_t n) {
  JPQD_CHECK(n > 0, InvalidArgument, "num_labels must be positive, got ", n);
  if (static_cast<int64_t>(id2label.size()) == n) return;  // keep the names a checkpoint gave its labels
  id2label.clear();
  for (int64_t i = 0; i < n; ++i) id2label[i] = "LABEL_" + std::to_string(i);
}

const architecture::Architecture& BertConfig::architecture() const {
  return architecture::architecture_for(model_type, "model config");
}

architecture::EncoderShape BertConfig::shape() const {
  architecture::EncoderShape s;
  s.vocab_size = vocab_size;
  s.hidden_size = hidden_size;
  s.num_layers = num_hidden_layers;
  s.head_dim = head_dim();
  for (int64_t l = 0; l < num_hidden_layers; ++l) {
    s.heads.push_back(layer_heads(l));
    s.intermediate.push_back(layer_intermediate(l));
  }
  s.max_position_embeddings = max_position_embeddings;
  s.type_vocab_size = type_vocab_size;
  s.num_labels = num_labels();
  s.pad_token_id = pad_token_id;
  s.hidden_act = hidden_act;
  return s;
}

int64_t BertConfig::layer_heads(int64_t layer) const {
  return heads_per_layer.empty() ? num_attention_heads : heads_per_layer.at(layer);
}

int64_t BertConfig::layer_intermediate(int64_t layer) const {
  return intermediate_per_layer.empty() ? intermediate_size : intermediate_per_layer.at(layer);
}

}  // namespace jpqd::model
