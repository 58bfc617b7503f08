// A tiny BERT and a learnable toy classification task for trainer tests: token 7 anywhere in a
// sentence means label 1, and every batch differs.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "model/bert.h"
#include "training/dataset.h"

namespace jpqd::training::toy {

inline model::BertConfig config() {
  model::BertConfig c;
  c.vocab_size = 60;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.intermediate_size = 24;
  c.max_position_embeddings = 32;
  c.set_num_labels(2);
  return c;
}

inline std::shared_ptr<TokenizedDataset> dataset(int64_t n, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<Row> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t len = 4 + torch::randint(6, {1}, gen).item<int64_t>();
    auto ids = torch::randint(10, 60, {len}, gen);
    Row& r = rows[static_cast<size_t>(i)];
    r.input_ids = {2};
    for (int64_t t = 0; t < len; ++t) r.input_ids.push_back(ids[t].item<int64_t>());
    r.input_ids.push_back(3);
    r.label = i % 2;
    if (r.label == 1) r.input_ids[1] = 7;
    r.token_type_ids.assign(r.input_ids.size(), 0);
  }
  return std::make_shared<TokenizedDataset>(std::move(rows), TargetKind::kClassLabel, 0, 0);
}

// Movement sparsity for the toy model: warm-up over epochs 1..3 (8x8 attention blocks, FFN rows/columns).
inline const char* movement_sparsity_json() {
  return R"({"algorithm": "movement_sparsity",
    "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 3, "importance_regularization_factor": 0.5,
               "enable_structured_masking": true},
    "sparse_structure_by_scopes": [
      {"mode": "block", "sparse_factors": [8, 8], "target_scopes": "{re}.*BertAttention.*"},
      {"mode": "per_dim", "axis": 0, "target_scopes": "{re}.*BertIntermediate.*"},
      {"mode": "per_dim", "axis": 1, "target_scopes": "{re}.*BertOutput.*"}],
    "ignored_scopes": ["{re}.*pooler.*", "{re}.*classifier.*"]})";
}

// Copies of every parameter (and buffer) by name, to compare models after training.
inline std::map<std::string, torch::Tensor> snapshot(model::BertImpl& m, bool with_buffers = true) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters(true)) out[p.key()] = p.value().detach().clone();
  if (with_buffers)
    for (const auto& b : m.named_buffers(true)) out[b.key()] = b.value().detach().clone();
  return out;
}

}  // namespace jpqd::training::toy
