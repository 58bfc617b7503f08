// Shared by the family export tests (runtime and ONNX Runtime parity): a tiny random model of each family
// with unit-gain weights, inputs padded with the family's pad id, the LibTorch forward as the reference,
// the quantization and movement sparsity configs on the family's own scopes, and the error budgets (their
// reasoning is in runtime_vs_torch_model_test.cc).
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "model/bert.h"
#include "text/tokenizer.h"

namespace jpqd::exporter::family_export_testing {

inline constexpr double kFamilyMaxFp32LogitAbsDiff = 1e-4;
inline constexpr int64_t kFamilyMaxFlipAffectedSequences = 8;  // of kFamilyBatch = 16
inline constexpr double kFamilyMaxInt8DiffShareOfQuantizationEffect = 1.0;

inline constexpr int64_t kFamilyVocab = 60, kFamilyBatch = 16, kFamilySeq = 12;

// The smoke config's quantization; "__add___2" is RoBERTa's embedding sum, the others' are 0 and 1.
inline const char* kFamilyQuantizationConfig = R"({"algorithm": "quantization", "preset": "mixed", "overflow_fix": "enable",
  "initializer": {"range": {"num_init_samples": 32, "type": "percentile",
                            "params": {"min_percentile": 0.01, "max_percentile": 99.99}}},
  "scope_overrides": {"activations": {"{re}.*matmul_0": {"mode": "symmetric"}}},
  "ignored_scopes": ["{re}.*__add___[0-2]", "{re}.*layer_norm_0"]})";

struct FamilyCase {
  std::string model_type;
  model::TaskHead head;
};

inline std::string family_case_name(const FamilyCase& c) {
  std::string n;
  for (char ch : c.model_type)
    if (ch != '-') n += ch;
  return n + (c.head == model::TaskHead::kQuestionAnswering ? "_qa" : "_cls");
}

inline void PrintTo(const FamilyCase& c, std::ostream* os) { *os << family_case_name(c); }

inline model::BertConfig family_parity_config(const std::string& model_type) {
  model::BertConfig c = model::BertConfig::defaults_for(model_type, "test");
  c.vocab_size = kFamilyVocab;
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;  // head_dim 8
  c.intermediate_size = 64;
  // RoBERTa's positions start after padding_idx: kFamilySeq tokens need kFamilySeq + pad + 1 rows.
  c.max_position_embeddings = kFamilySeq + c.pad_token_id + 1;
  c.set_num_labels(3);
  return c;
}

inline text::Tokenizer family_parity_tokenizer() {
  std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  while (static_cast<int64_t>(tokens.size()) < kFamilyVocab) tokens.push_back("w" + std::to_string(tokens.size()));
  return text::Tokenizer::from_vocab(tokens);
}

// Weights of unit gain and non-trivial biases and LayerNorm affines, so logits are far from ties.
inline void randomize_family_model(model::BertImpl& m, uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  for (auto& p : m.named_parameters(true)) {
    const std::string& name = p.key();
    torch::Tensor t = p.value();
    const bool layer_norm = name.find("LayerNorm.weight") != std::string::npos ||
                            name.find("layer_norm.weight") != std::string::npos;
    if (layer_norm) t.copy_(1.0 + 0.2 * torch::randn_like(t));
    else if (t.dim() == 1) t.copy_(0.2 * torch::randn_like(t));
    else if (name.find("embeddings") != std::string::npos) t.copy_(torch::randn_like(t));
    else t.copy_(torch::randn_like(t) / std::sqrt(static_cast<double>(t.size(1))));
  }
}

// Random ids (never the pad id), padding with the family's pad id at the end of every other sequence.
inline model::BertInputs family_random_inputs(const model::BertConfig& c, uint64_t seed) {
  torch::manual_seed(seed);
  model::BertInputs in;
  in.input_ids = torch::randint(5, kFamilyVocab, {kFamilyBatch, kFamilySeq}, torch::kLong);
  in.token_type_ids = torch::zeros({kFamilyBatch, kFamilySeq}, torch::kLong);
  in.attention_mask = torch::ones({kFamilyBatch, kFamilySeq}, torch::kLong);
  for (int64_t b = 0; b < kFamilyBatch; ++b) {
    const int64_t len = b % 2 ? kFamilySeq : 3 + b % (kFamilySeq - 3);
    // DistilBERT ignores token types as HF's forward does: give it the segments a pair tokenizer makes.
    if (!c.architecture().token_type_embeddings)
      in.token_type_ids.index_put_({b, torch::indexing::Slice(len / 2, len)}, 1);
    in.attention_mask.index_put_({b, torch::indexing::Slice(len, torch::indexing::None)}, 0);
    in.input_ids.index_put_({b, torch::indexing::Slice(len, torch::indexing::None)}, c.pad_token_id);
  }
  return in;
}

inline std::vector<int64_t> family_flat(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

inline std::map<std::string, torch::Tensor> family_run_torch(model::BertImpl& m, const model::BertInputs& in) {
  torch::NoGradGuard no_grad;
  const model::BertOutputs out = m.forward(in);
  if (m.head() == model::TaskHead::kQuestionAnswering) return {{"start", out.start_logits}, {"end", out.end_logits}};
  return {{"logits", out.logits}};
}

inline double family_max_abs_diff(const std::map<std::string, torch::Tensor>& a,
                           const std::map<std::string, torch::Tensor>& b) {
  double d = 0;
  for (const auto& [name, t] : a) d = std::max(d, (t - b.at(name)).abs().max().item<double>());
  return d;
}

class FamilyModelFile {
 public:
  explicit FamilyModelFile(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() /
             ("jpqd_family_runtime_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~FamilyModelFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path() const { return (dir_ / "model.jpqd").string(); }

 private:
  std::filesystem::path dir_;
};

// Movement sparsity on each family's own attention and FFN scopes (configs/<family>-jpqd.json's structure;
// ".*RobertaAttention.*" also matches XLM-R's XLMRobertaAttention).
inline Json family_movement_config(const std::string& model_type) {
  const bool distilbert = model_type == "distilbert";
  const std::string attention = distilbert ? "{re}.*MultiHeadSelfAttention.*" : "{re}.*RobertaAttention.*";
  const std::string ffn_in = distilbert ? "{re}.*FFN\\[ffn\\]/NNCFLinear\\[lin1\\].*" : "{re}.*RobertaIntermediate.*";
  const std::string ffn_out = distilbert ? "{re}.*FFN\\[ffn\\]/NNCFLinear\\[lin2\\].*" : "{re}.*RobertaOutput.*";
  Json config = Json::parse(R"({"algorithm": "movement_sparsity",
    "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 2, "importance_regularization_factor": 0.1},
    "ignored_scopes": ["{re}.*NNCFEmbedding.*", "{re}.*(classifier|qa_outputs).*"]})");
  config["sparse_structure_by_scopes"] = Json::array(
      {Json{{"mode", "block"}, {"sparse_factors", {8, 8}}, {"target_scopes", attention}},
       Json{{"mode", "per_dim"}, {"axis", 0}, {"target_scopes", ffn_in}},
       Json{{"mode", "per_dim"}, {"axis", 1}, {"target_scopes", ffn_out}}});
  return config;
}

}  // namespace jpqd::exporter::family_export_testing
