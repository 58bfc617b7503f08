#include "architecture/architecture.h"

#include "common/error.h"

namespace jpqd::architecture {

namespace {

bool name_ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool name_starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::string Architecture::head_class(TaskHead head) const {
  switch (head) {
    case TaskHead::kSequenceClassification: return class_prefix + "ForSequenceClassification";
    case TaskHead::kQuestionAnswering: return class_prefix + "ForQuestionAnswering";
    case TaskHead::kMaskedLM: return class_prefix + "ForMaskedLM";
  }
  return base_class();
}

CheckpointKey Architecture::canonical_key(const std::string& key, TaskHead head) const {
  std::string name = key;
  if (name_ends_with(name, ".gamma")) name = name.substr(0, name.size() - 6) + ".weight";
  else if (name_ends_with(name, ".beta")) name = name.substr(0, name.size() - 5) + ".bias";
  for (const auto& child : base_children)
    if (name_starts_with(name, child + ".")) name = base_prefix + "." + name;
  // Buffers older transformers saved with the weights: recomputed, never loaded.
  if (name_ends_with(name, "embeddings.position_ids") || name_ends_with(name, "embeddings.token_type_ids"))
    return {"", false};
  const bool uses_pooler = pooler_in_sequence_classification && head == TaskHead::kSequenceClassification;
  if (!uses_pooler && name_starts_with(name, base_prefix + ".pooler.")) return {"", false};
  if (head == TaskHead::kMaskedLM) {
    if (name == mlm_decoder_weight_key) return {base_prefix + ".embeddings.word_embeddings.weight", true};
    if (!mlm_decoder_bias_key.empty() && name == mlm_decoder_bias_key) return {mlm_bias_name, true};
  }
  return {name, false};
}

std::string Architecture::file_name(const std::string& hf_name) const {
  const std::string prefix = base_prefix + ".";
  return name_starts_with(hf_name, prefix) ? hf_name.substr(prefix.size()) : hf_name;
}

std::string Architecture::module_path(NodeRole role, int layer) const {
  EncoderShape shape;
  shape.vocab_size = shape.hidden_size = shape.head_dim = shape.max_position_embeddings = 1;
  shape.type_vocab_size = 1;
  shape.num_layers = layer + 1;
  shape.heads.assign(shape.num_layers, 1);
  shape.intermediate.assign(shape.num_layers, 1);
  for (TaskHead head : {TaskHead::kSequenceClassification, TaskHead::kQuestionAnswering, TaskHead::kMaskedLM})
    for (const auto& m : modules(*this, shape, head))
      if (m.role == role && m.layer == layer) return m.path;
  return "";
}

bool Architecture::owns_key(const std::string& key) const {
  if (name_starts_with(key, base_prefix + ".")) return true;
  for (const auto& child : base_children)
    if (name_starts_with(key, child + ".")) return true;
  return false;
}

const std::vector<const Architecture*>& all_architectures() {
  static const std::vector<const Architecture*> all = {&bert_architecture(), &distilbert_architecture(),
                                                       &roberta_architecture(), &xlm_roberta_architecture()};
  return all;
}

std::string known_model_types() {
  std::string out;
  for (const Architecture* a : all_architectures()) out += (out.empty() ? "" : ", ") + a->model_type;
  return out;
}

const Architecture& architecture_for(const std::string& model_type, const std::string& where) {
  for (const Architecture* a : all_architectures())
    if (a->model_type == model_type) return *a;
  throw FormatError(str_cat(where, ": model_type \"", model_type, "\" is not supported (", known_model_types(), ")"));
}

}  // namespace jpqd::architecture
