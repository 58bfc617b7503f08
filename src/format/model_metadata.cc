#include "format/model_metadata.h"

#include <cmath>

#include "common/error.h"

namespace jpqd::format {

std::string tokenizer_file_tensor(const std::string& file_name) { return "tokenizer/" + file_name; }

namespace {

const char* act_name(HiddenAct a) {
  switch (a) {
    case HiddenAct::kGelu: return "gelu";
    case HiddenAct::kGeluNew: return "gelu_new";
    case HiddenAct::kRelu: return "relu";
  }
  return "?";
}

Json quantizer_to_json(const ActivationQuantizer& q) {
  // The scale is an f32; widening to double keeps it exact through JSON.
  return Json{{"scale", static_cast<double>(q.scale)}, {"zero_point", q.zero_point}, {"signed", q.is_signed}};
}

const char* position_ids_name(architecture::PositionIds p) {
  return p == architecture::PositionIds::kArange ? "arange" : "count_non_padding";
}

const char* classifier_head_name(architecture::ClassifierHead c) {
  switch (c) {
    case architecture::ClassifierHead::kPooledTanh: return "pooled_tanh";
    case architecture::ClassifierHead::kDenseTanhOutProj: return "dense_tanh_out_proj";
    case architecture::ClassifierHead::kPreClassifierRelu: return "pre_classifier_relu";
  }
  return "?";
}

int64_t get_int_at_least(const Json& o, const std::string& key, const std::string& where, int64_t min) {
  int64_t v = get_int(o, key, where);
  JPQD_CHECK(v >= min, InvalidArgument, where, ".", key, ": ", v, " is below ", min);
  return v;
}

ActivationQuantizer quantizer_from_json(const Json& o, const std::string& where) {
  reject_unknown_keys(o, {"scale", "zero_point", "signed"}, where);
  ActivationQuantizer q;
  const double scale = get_number(o, "scale", where);
  q.scale = static_cast<float>(scale);
  JPQD_CHECK(q.scale > 0 && std::isfinite(q.scale), InvalidArgument, where, ".scale: ", scale,
             " is not a positive finite f32");
  q.is_signed = get_bool(o, "signed", where);
  const int64_t zp = get_int(o, "zero_point", where);
  JPQD_CHECK(zp >= q.qmin() && zp <= q.qmax() && (!q.is_signed || zp == 0), InvalidArgument, where,
             ".zero_point: ", zp, (q.is_signed ? " must be 0 for a signed (symmetric) quantizer" : " outside 0..255"));
  q.zero_point = static_cast<int32_t>(zp);
  return q;
}

// model_type and the description fields; absent ones take the family's values (files written before the
// families existed hold BERT and none of these keys).
void parse_family_fields(const Json& a, const std::string& aw, Architecture& arch) {
  if (a.contains("model_type")) arch.model_type = get_string(a, "model_type", aw);
  set_family_fields(arch.family(aw + ".model_type"), arch);
  if (a.contains("token_type_embeddings")) arch.token_type_embeddings = get_bool(a, "token_type_embeddings", aw);
  if (a.contains("position_ids")) {
    const std::string p = get_string(a, "position_ids", aw);
    if (p == "arange") arch.position_ids = architecture::PositionIds::kArange;
    else if (p == "count_non_padding") arch.position_ids = architecture::PositionIds::kCountingNonPadding;
    else throw InvalidArgument(str_cat(aw, ".position_ids: unsupported \"", p, "\" (arange, count_non_padding)"));
  }
  if (a.contains("padding_idx")) arch.padding_idx = get_int_at_least(a, "padding_idx", aw, 0);
  if (a.contains("classifier_head")) {
    const std::string c = get_string(a, "classifier_head", aw);
    using architecture::ClassifierHead;
    if (c == "pooled_tanh") arch.classifier_head = ClassifierHead::kPooledTanh;
    else if (c == "dense_tanh_out_proj") arch.classifier_head = ClassifierHead::kDenseTanhOutProj;
    else if (c == "pre_classifier_relu") arch.classifier_head = ClassifierHead::kPreClassifierRelu;
    else
      throw InvalidArgument(str_cat(aw, ".classifier_head: unsupported \"", c,
                                    "\" (pooled_tanh, dense_tanh_out_proj, pre_classifier_relu)"));
  }
  if (a.contains("query_scaled_before_scores"))
    arch.query_scaled_before_scores = get_bool(a, "query_scaled_before_scores", aw);
}

ModelMetadata parse(const Json& json, const std::string& where) {
  ModelMetadata m;
  reject_unknown_keys(json, {"architecture", "task", "tokenizer", "quantization", "provenance"}, where);
  JPQD_CHECK(json.contains("architecture"), InvalidArgument, where, ": missing \"architecture\"");
  const Json& a = json.at("architecture");
  const std::string aw = where + ".architecture";
  reject_unknown_keys(a, {"hidden_size", "num_layers", "vocab_size", "max_position_embeddings", "type_vocab_size",
                          "layer_norm_eps", "hidden_act", "layers", "model_type", "token_type_embeddings",
                          "position_ids", "padding_idx", "classifier_head", "query_scaled_before_scores"},
                      aw);
  Architecture& arch = m.architecture;
  parse_family_fields(a, aw, arch);
  arch.hidden_size = get_int_at_least(a, "hidden_size", aw, 1);
  const int64_t num_layers = get_int_at_least(a, "num_layers", aw, 0);
  arch.vocab_size = get_int_at_least(a, "vocab_size", aw, 1);
  arch.max_position_embeddings = get_int_at_least(a, "max_position_embeddings", aw, 1);
  arch.type_vocab_size = get_int_at_least(a, "type_vocab_size", aw, arch.token_type_embeddings ? 1 : 0);
  JPQD_CHECK(arch.token_type_embeddings || arch.type_vocab_size == 0, InvalidArgument, aw, ".type_vocab_size: ",
             arch.type_vocab_size, " without token_type_embeddings (must be 0)");
  JPQD_CHECK(arch.max_sequence_length() >= 1, InvalidArgument, aw, ".max_position_embeddings: ",
             arch.max_position_embeddings, " leaves no position after padding_idx ", arch.padding_idx);
  arch.layer_norm_eps = get_number(a, "layer_norm_eps", aw);
  JPQD_CHECK(arch.layer_norm_eps > 0, InvalidArgument, aw, ".layer_norm_eps: must be positive");
  const std::string act = get_string(a, "hidden_act", aw);
  if (act == "gelu") arch.hidden_act = HiddenAct::kGelu;
  else if (act == "gelu_new") arch.hidden_act = HiddenAct::kGeluNew;
  else if (act == "relu") arch.hidden_act = HiddenAct::kRelu;
  else throw InvalidArgument(str_cat(aw, ".hidden_act: unsupported \"", act, "\" (gelu, gelu_new, relu)"));
  JPQD_CHECK(a.contains("layers") && a.at("layers").is_array(), InvalidArgument, aw, ".layers: expected an array");
  const Json& layers = a.at("layers");
  JPQD_CHECK(static_cast<int64_t>(layers.size()) == num_layers, InvalidArgument, aw, ".layers: ", layers.size(),
             " entries for num_layers ", num_layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string lw = str_cat(aw, ".layers[", i, "]");
    reject_unknown_keys(layers[i], {"num_heads", "head_dim", "intermediate_size"}, lw);
    LayerShape l;
    l.num_heads = get_int_at_least(layers[i], "num_heads", lw, 0);
    l.head_dim = get_int_at_least(layers[i], "head_dim", lw, 1);
    l.intermediate_size = get_int_at_least(layers[i], "intermediate_size", lw, 0);
    arch.layers.push_back(l);
  }

  JPQD_CHECK(json.contains("task"), InvalidArgument, where, ": missing \"task\"");
  const Json& t = json.at("task");
  const std::string tw = where + ".task";
  const std::string type = get_string(t, "type", tw);
  if (type == "sequence_classification") {
    reject_unknown_keys(t, {"type", "num_labels", "id2label", "problem_type"}, tw);
    m.task.type = TaskType::kSequenceClassification;
    m.task.num_labels = get_int_at_least(t, "num_labels", tw, 1);
    if (t.contains("id2label")) {
      JPQD_CHECK(t.at("id2label").is_array(), InvalidArgument, tw, ".id2label: expected an array of strings");
      for (const auto& label : t.at("id2label")) {
        JPQD_CHECK(label.is_string(), InvalidArgument, tw, ".id2label: expected strings, got ", label.dump());
        m.task.id2label.push_back(label.get<std::string>());
      }
      JPQD_CHECK(static_cast<int64_t>(m.task.id2label.size()) == m.task.num_labels, InvalidArgument, tw,
                 ".id2label: ", m.task.id2label.size(), " labels for num_labels ", m.task.num_labels);
    }
    m.task.problem_type = get_string(t, "problem_type", tw);
    JPQD_CHECK(m.task.problem_type == "single_label_classification" ||
                   m.task.problem_type == "multi_label_classification" || m.task.problem_type == "regression",
               InvalidArgument, tw, ".problem_type: unsupported \"", m.task.problem_type, "\"");
  } else if (type == "question_answering") {
    reject_unknown_keys(t, {"type"}, tw);
    m.task.type = TaskType::kQuestionAnswering;
    m.task.num_labels = 2;
    m.task.problem_type.clear();
  } else {
    throw InvalidArgument(str_cat(tw, ".type: unsupported \"", type,
                                  "\" (sequence_classification, question_answering)"));
  }

  JPQD_CHECK(json.contains("tokenizer"), InvalidArgument, where, ": missing \"tokenizer\"");
  const Json& k = json.at("tokenizer");
  const std::string kw = where + ".tokenizer";
  m.tokenizer.model_max_length = get_int_at_least(k, "model_max_length", kw, 1);
  if (k.contains("files")) {
    reject_unknown_keys(k, {"files", "model_max_length"}, kw);
    JPQD_CHECK(k.at("files").is_array() && !k.at("files").empty(), InvalidArgument, kw,
               ".files: expected a non-empty array of file names");
    for (const auto& name : k.at("files")) {
      JPQD_CHECK(name.is_string() && !name.get<std::string>().empty() &&
                     name.get<std::string>().find('/') == std::string::npos,
                 InvalidArgument, kw, ".files: expected plain file names, got ", name.dump());
      m.tokenizer.files.push_back(name.get<std::string>());
    }
  } else {
    reject_unknown_keys(k, {"vocab", "do_lower_case", "strip_accents", "tokenize_chinese_chars", "model_max_length"},
                        kw);
    JPQD_CHECK(k.contains("vocab") && k.at("vocab").is_array(), InvalidArgument, kw, ".vocab: expected an array");
    for (const auto& tok : k.at("vocab")) {
      JPQD_CHECK(tok.is_string(), InvalidArgument, kw, ".vocab: expected strings, got ", tok.dump());
      m.tokenizer.vocab.push_back(tok.get<std::string>());
    }
    JPQD_CHECK(static_cast<int64_t>(m.tokenizer.vocab.size()) == arch.vocab_size, InvalidArgument, kw, ".vocab: ",
               m.tokenizer.vocab.size(), " tokens for vocab_size ", arch.vocab_size);
    m.tokenizer.do_lower_case = get_bool(k, "do_lower_case", kw);
    if (k.contains("strip_accents") && !k.at("strip_accents").is_null())
      m.tokenizer.strip_accents = get_bool(k, "strip_accents", kw);
    m.tokenizer.tokenize_chinese_chars = get_bool(k, "tokenize_chinese_chars", kw);
  }

  if (json.contains("quantization")) {
    const Json& q = json.at("quantization");
    const std::string qw = where + ".quantization";
    const std::string scheme = get_string(q, "scheme", qw);
    if (scheme == "none") {
      reject_unknown_keys(q, {"scheme"}, qw);
    } else if (scheme == "int8") {
      reject_unknown_keys(q, {"scheme", "linears", "attention"}, qw);
      m.quantization.int8 = true;
      if (q.contains("linears")) {
        const Json& ls = q.at("linears");
        JPQD_CHECK(ls.is_object(), InvalidArgument, qw, ".linears: expected an object");
        for (const auto& item : ls.items()) {
          const std::string iw = str_cat(qw, ".linears.", item.key());
          reject_unknown_keys(item.value(), {"input"}, iw);
          JPQD_CHECK(item.value().contains("input"), InvalidArgument, iw, ": missing \"input\"");
          m.quantization.linear_inputs[item.key()] = quantizer_from_json(item.value().at("input"), iw + ".input");
        }
      }
      if (q.contains("attention")) {
        const Json& at = q.at("attention");
        JPQD_CHECK(at.is_array() && static_cast<int64_t>(at.size()) == arch.num_layers(), InvalidArgument, qw,
                   ".attention: expected an array of ", arch.num_layers(), " entries (one per layer)");
        for (size_t i = 0; i < at.size(); ++i) {
          if (at[i].is_null()) {
            m.quantization.attention.emplace_back();
            continue;
          }
          const std::string iw = str_cat(qw, ".attention[", i, "]");
          reject_unknown_keys(at[i], {"query", "key"}, iw);
          JPQD_CHECK(at[i].contains("query") && at[i].contains("key"), InvalidArgument, iw,
                     ": needs both \"query\" and \"key\"");
          m.quantization.attention.push_back(
              AttentionQuantizers{quantizer_from_json(at[i].at("query"), iw + ".query"),
                                  quantizer_from_json(at[i].at("key"), iw + ".key")});
        }
      }
    } else {
      throw InvalidArgument(str_cat(qw, ".scheme: unsupported \"", scheme, "\" (none, int8)"));
    }
  }
  if (json.contains("provenance")) m.provenance = json.at("provenance");
  return m;
}

}  // namespace

void set_family_fields(const architecture::Architecture& family, Architecture& out) {
  out.model_type = family.model_type;
  out.token_type_embeddings = family.token_type_embeddings;
  out.position_ids = family.position_ids;
  out.padding_idx = family.defaults.pad_token_id;
  out.classifier_head = family.classifier;
  out.query_scaled_before_scores = family.scale_query_before_scores;
}

Json ModelMetadata::to_json() const {
  Json layers = Json::array();
  for (const auto& l : architecture.layers)
    layers.push_back({{"num_heads", l.num_heads}, {"head_dim", l.head_dim}, {"intermediate_size", l.intermediate_size}});
  Json j;
  j["architecture"] = {{"hidden_size", architecture.hidden_size},
                       {"num_layers", architecture.num_layers()},
                       {"vocab_size", architecture.vocab_size},
                       {"max_position_embeddings", architecture.max_position_embeddings},
                       {"type_vocab_size", architecture.type_vocab_size},
                       {"layer_norm_eps", architecture.layer_norm_eps},
                       {"hidden_act", act_name(architecture.hidden_act)},
                       {"layers", layers},
                       {"model_type", architecture.model_type},
                       {"token_type_embeddings", architecture.token_type_embeddings},
                       {"position_ids", position_ids_name(architecture.position_ids)},
                       {"padding_idx", architecture.padding_idx},
                       {"classifier_head", classifier_head_name(architecture.classifier_head)},
                       {"query_scaled_before_scores", architecture.query_scaled_before_scores}};
  if (task.type == TaskType::kSequenceClassification) {
    j["task"] = {{"type", "sequence_classification"}, {"num_labels", task.num_labels}, {"problem_type", task.problem_type}};
    if (!task.id2label.empty()) j["task"]["id2label"] = task.id2label;
  } else {
    j["task"] = {{"type", "question_answering"}};
  }
  if (!tokenizer.files.empty()) {
    j["tokenizer"] = {{"files", tokenizer.files}, {"model_max_length", tokenizer.model_max_length}};
  } else {
    j["tokenizer"] = {{"vocab", tokenizer.vocab},
                      {"do_lower_case", tokenizer.do_lower_case},
                      {"strip_accents", tokenizer.strip_accents ? Json(*tokenizer.strip_accents) : Json(nullptr)},
                      {"tokenize_chinese_chars", tokenizer.tokenize_chinese_chars},
                      {"model_max_length", tokenizer.model_max_length}};
  }
  if (!quantization.int8) {
    j["quantization"] = {{"scheme", "none"}};
  } else {
    Json linears = Json::object();
    for (const auto& [name, q] : quantization.linear_inputs) linears[name] = {{"input", quantizer_to_json(q)}};
    j["quantization"] = {{"scheme", "int8"}, {"linears", linears}};
    if (!quantization.attention.empty()) {
      Json att = Json::array();
      for (const auto& a : quantization.attention)
        att.push_back(a ? Json{{"query", quantizer_to_json(a->query)}, {"key", quantizer_to_json(a->key)}}
                        : Json(nullptr));
      j["quantization"]["attention"] = att;
    }
  }
  j["provenance"] = provenance;
  return j;
}

ModelMetadata ModelMetadata::from_json(const Json& json, const std::string& where) {
  try {
    return parse(json, where);
  } catch (const InvalidArgument& e) {
    // Inside a model file a bad value is a corrupt file, not a bad flag.
    throw FormatError(e.what());
  }
}

}  // namespace jpqd::format
