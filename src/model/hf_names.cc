#include "model/hf_names.h"

#include "model/bert.h"

namespace jpqd::model {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool has_pooler(TaskHead head) { return head == TaskHead::kSequenceClassification; }

class Table {
 public:
  void linear(const std::string& name, int64_t in, int64_t out) {
    specs.push_back({name + ".weight", {out, in}, HfInit::kNormal});
    specs.push_back({name + ".bias", {out}, HfInit::kZeros});
  }
  void layer_norm(const std::string& name, int64_t width) {
    specs.push_back({name + ".weight", {width}, HfInit::kOnes});
    specs.push_back({name + ".bias", {width}, HfInit::kZeros});
  }
  std::vector<HfTensorSpec> specs;
};

}  // namespace

std::vector<HfTensorSpec> hf_tensor_table(const BertConfig& c, TaskHead head) {
  Table t;
  const int64_t h = c.hidden_size;
  t.specs.push_back({"bert.embeddings.word_embeddings.weight", {c.vocab_size, h}, HfInit::kNormalPaddingZero});
  t.specs.push_back({"bert.embeddings.position_embeddings.weight", {c.max_position_embeddings, h}, HfInit::kNormal});
  t.specs.push_back({"bert.embeddings.token_type_embeddings.weight", {c.type_vocab_size, h}, HfInit::kNormal});
  t.layer_norm("bert.embeddings.LayerNorm", h);
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    const std::string p = "bert.encoder.layer." + std::to_string(l) + ".";
    const int64_t inner = c.layer_heads(l) * c.head_dim();
    const int64_t ffn = c.layer_intermediate(l);
    t.linear(p + "attention.self.query", h, inner);
    t.linear(p + "attention.self.key", h, inner);
    t.linear(p + "attention.self.value", h, inner);
    t.linear(p + "attention.output.dense", inner, h);
    t.layer_norm(p + "attention.output.LayerNorm", h);
    t.linear(p + "intermediate.dense", h, ffn);
    t.linear(p + "output.dense", ffn, h);
    t.layer_norm(p + "output.LayerNorm", h);
  }
  switch (head) {
    case TaskHead::kSequenceClassification:
      t.linear("bert.pooler.dense", h, h);
      t.linear("classifier", h, c.num_labels());
      break;
    case TaskHead::kQuestionAnswering:
      t.linear("qa_outputs", h, 2);
      break;
    case TaskHead::kMaskedLM:
      // The decoder weight is the word-embedding table (tied), so it is not a tensor of its own.
      t.specs.push_back({"cls.predictions.bias", {c.vocab_size}, HfInit::kZeros});
      t.linear("cls.predictions.transform.dense", h, h);
      t.layer_norm("cls.predictions.transform.LayerNorm", h);
      break;
  }
  return t.specs;
}

CheckpointKey canonical_checkpoint_key(const std::string& key, TaskHead head) {
  std::string name = key;
  if (ends_with(name, ".gamma")) name = name.substr(0, name.size() - 6) + ".weight";
  else if (ends_with(name, ".beta")) name = name.substr(0, name.size() - 5) + ".bias";
  if (starts_with(name, "embeddings.") || starts_with(name, "encoder.") || starts_with(name, "pooler."))
    name = "bert." + name;
  if (ends_with(name, "embeddings.position_ids")) return {"", false};
  if (!has_pooler(head) && starts_with(name, "bert.pooler.")) return {"", false};
  if (head == TaskHead::kMaskedLM) {
    if (name == "cls.predictions.decoder.weight") return {"bert.embeddings.word_embeddings.weight", true};
    if (name == "cls.predictions.decoder.bias") return {"cls.predictions.bias", true};
  }
  return {name, false};
}

}  // namespace jpqd::model
