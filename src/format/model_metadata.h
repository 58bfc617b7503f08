// The metadata JSON of a model file, typed. Writer (exporter) and reader (runtime) share it.
//
// Schema (every object rejects unknown keys; "provenance" is free-form):
// {
//   "architecture": {
//     "hidden_size": int > 0, "num_layers": int >= 0, "vocab_size": int > 0,
//     "max_position_embeddings": int > 0, "type_vocab_size": int > 0, "layer_norm_eps": number > 0,
//     "hidden_act": "gelu" (exact erf) | "gelu_new" (tanh approximation) | "relu",
//     "model_type": "bert" | "distilbert" | "roberta" | "xlm-roberta" (optional, "bert" when absent),
//     and what the runtime needs from the family's description (each optional, the family's value when absent):
//     "token_type_embeddings": bool (false: type_vocab_size is 0 and no token-type table is stored),
//     "position_ids": "arange" | "count_non_padding", "padding_idx": int >= 0 (count_non_padding: the
//     position of pads, real tokens count from padding_idx + 1, and the pad token id),
//     "classifier_head": "pooled_tanh" | "dense_tanh_out_proj" | "pre_classifier_relu",
//     "query_scaled_before_scores": bool (Q divided by sqrt(head_dim) before its quantizer and Q·Kᵀ),
//     "layers": [ {"num_heads": int >= 0 (heads kept), "head_dim": int > 0,
//                  "intermediate_size": int >= 0 (FFN neurons kept)}, ... num_layers entries ]
//   },
//   "task": {"type": "sequence_classification", "num_labels": int > 0,
//            "id2label": [string, ... num_labels] (optional),
//            "problem_type": "single_label_classification" | "multi_label_classification" | "regression"}
//         | {"type": "question_answering"},
//   "tokenizer": {"files": [file name, ...] (each stored as the u8 tensor tokenizer_file_tensor(name),
//                           the checkpoint's tokenizer files byte for byte; see format/model_tokenizer.h),
//                 "model_max_length": int > 0}
//              | (files written before the tokenizer files were carried: a WordPiece vocabulary inline)
//                {"vocab": [token, ... vocab_size] (id = index), "do_lower_case": bool,
//                 "strip_accents": bool | null (null: follow do_lower_case), "tokenize_chinese_chars": bool,
//                 "model_max_length": int > 0},
//   "quantization": {"scheme": "none"}
//                 | {"scheme": "int8",
//                    "linears": {"<linear prefix from format/tensor_names.h>": {"input": QUANTIZER}, ...},
//                    "attention": [ {"query": QUANTIZER, "key": QUANTIZER} | null, ... num_layers ] (optional)},
//   "provenance": { anything the trainer wants to record } (optional)
// }
// QUANTIZER = {"scale": number > 0 (read as f32), "zero_point": int, "signed": bool}
//   signed = true : s8 levels -128..127, zero_point must be 0 (symmetric)
//   signed = false: u8 levels 0..255, zero_point in 0..255 (0 for unsigned symmetric)
//   q = clamp(round_half_even(x / scale) + zero_point, qmin, qmax); x' = (q - zero_point) * scale.
// A Linear listed in "linears" must store an s8 weight with a weight_scale; every s8 Linear weight must
// be listed (checked by the runtime at load).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "architecture/architecture.h"
#include "common/json_util.h"

namespace jpqd::format {

enum class HiddenAct { kGelu, kGeluNew, kRelu };
enum class TaskType { kSequenceClassification, kQuestionAnswering };

struct LayerShape {
  int64_t num_heads = 0;
  int64_t head_dim = 64;
  int64_t intermediate_size = 0;
};

struct Architecture {
  int64_t hidden_size = 0;
  int64_t vocab_size = 0;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  HiddenAct hidden_act = HiddenAct::kGelu;
  std::vector<LayerShape> layers;  // one per encoder layer
  // The family and the parts of its description the runtime follows (defaults: BERT's).
  std::string model_type = "bert";
  bool token_type_embeddings = true;
  architecture::PositionIds position_ids = architecture::PositionIds::kArange;
  int64_t padding_idx = 0;
  architecture::ClassifierHead classifier_head = architecture::ClassifierHead::kPooledTanh;
  bool query_scaled_before_scores = false;
  // The family's description (tensor names); FormatError naming `where` for an unknown model_type.
  const architecture::Architecture& family(const std::string& where) const {
    return architecture::architecture_for(model_type, where);
  }
  // Longest input: RoBERTa's positions start after padding_idx.
  int64_t max_sequence_length() const {
    return position_ids == architecture::PositionIds::kCountingNonPadding
               ? max_position_embeddings - padding_idx - 1
               : max_position_embeddings;
  }
  int64_t num_layers() const { return static_cast<int64_t>(layers.size()); }
};

// The runtime-relevant fields of a family's description, for a writer or an old file without them.
void set_family_fields(const architecture::Architecture& family, Architecture& out);

struct TaskHead {
  TaskType type = TaskType::kSequenceClassification;
  int64_t num_labels = 2;  // sequence classification only
  std::vector<std::string> id2label;
  std::string problem_type = "single_label_classification";
};

struct TokenizerSettings {
  // The tokenizer's files, stored as tensors (what the exporter writes).
  std::vector<std::string> files;
  // Or the older inline form: a WordPiece vocabulary and BertTokenizer's options.
  std::vector<std::string> vocab;
  bool do_lower_case = true;
  std::optional<bool> strip_accents;
  bool tokenize_chinese_chars = true;
  int64_t model_max_length = 512;
};

// The u8 tensor holding one tokenizer file: "tokenizer/<name>".
std::string tokenizer_file_tensor(const std::string& file_name);

struct ActivationQuantizer {
  float scale = 1.0f;
  int32_t zero_point = 0;
  bool is_signed = false;
  int32_t qmin() const { return is_signed ? -128 : 0; }
  int32_t qmax() const { return is_signed ? 127 : 255; }
  bool operator==(const ActivationQuantizer& o) const {
    return scale == o.scale && zero_point == o.zero_point && is_signed == o.is_signed;
  }
};

struct AttentionQuantizers {
  ActivationQuantizer query;
  ActivationQuantizer key;
};

struct QuantizationScheme {
  bool int8 = false;
  std::map<std::string, ActivationQuantizer> linear_inputs;  // by Linear prefix
  std::vector<std::optional<AttentionQuantizers>> attention;  // empty, or one per layer
};

struct ModelMetadata {
  Architecture architecture;
  TaskHead task;
  TokenizerSettings tokenizer;
  QuantizationScheme quantization;
  Json provenance = Json::object();

  Json to_json() const;
  // Validates types, ranges and cross-field counts; throws FormatError prefixed with `where`.
  static ModelMetadata from_json(const Json& json, const std::string& where);
};

}  // namespace jpqd::format
