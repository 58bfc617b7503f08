// The runtime against LibTorch, at unit scale: a LibTorch model::Bert with random weights, exported through the project's
// own path (build_exported_model + write_model_file, as a training run's end does) and loaded by the
// Torch-free runtime, gives the LibTorch model's own logits. FP32: within 1e-4. INT8 (the JPQD smoke config's
// quantization with initialised ranges): the fake-quantized LibTorch forward and the runtime's integer
// kernels predict the same label / span on every example.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <jpqd/runtime.h>

#include "compression/build_controller.h"
#include "export/build_exported_model.h"
#include "export/model_file_export.h"
#include "text/tokenizer.h"

namespace jpqd::exporter {
namespace {

// The issue's FP32 budget. Both sides evaluate the same float32 graph; the order of the sums and the
// transcendental functions (erf, exp, tanh) differ, each by a few ulps of values of magnitude ~1.
constexpr double kMaxFp32LogitAbsDiff = 1e-4;

// INT8. Both sides quantize every Linear input, both Q·Kᵀ inputs and the embedding tables to the same
// integer levels, through different float arithmetic: training computes a level as
// round((x - lo) * (L-1)/R - zp) and multiplies dequantized values in float; the runtime computes
// round(x / step) + zp and multiplies integers. Everything after the integers is float32 on both sides,
// so outputs agree within the FP32 budget, except where a value lands within float rounding (relative
// ~3e-7) of a level boundary: that activation then differs by one whole step (a "flip").
//   How many: a value v levels from the zero point flips with probability ~ 2 |v| 3e-7, ~2e-5 for the few
//   tens of levels typical here (weights are exported as the very integers training used, so only
//   activations flip); a batch quantizes ~9e4 activations (192 tokens x ~450 per token), so about two flips
//   are expected. Attention never mixes sequences, so a flip reaches one sequence: at most half of the 16
//   sequences may differ beyond the FP32 budget, while a systematic error (a wrong scale, say) reaches all.
//   How far: a flip is one step of one activation; quantization itself moves every activation by up to
//   half a step, so a flip should not move an output further than quantization moves the outputs at all.
constexpr int64_t kMaxFlipAffectedSequences = 8;                 // of kBatch = 16
constexpr double kMaxInt8DiffShareOfQuantizationEffect = 1.0;  // max |runtime - fake-quantized| / quantization's

// Smallest run of the smoke config's quantization: mixed preset, overflow fix, percentile ranges.
const char* kQuantizationConfig = R"({"algorithm": "quantization", "preset": "mixed", "overflow_fix": "enable",
  "initializer": {"range": {"num_init_samples": 32, "type": "percentile",
                            "params": {"min_percentile": 0.01, "max_percentile": 99.99}}},
  "scope_overrides": {"activations": {"{re}.*matmul_0": {"mode": "symmetric"}}},
  "ignored_scopes": ["{re}.*__add___[0-1]", "{re}.*layer_norm_0"]})";

constexpr int64_t kVocab = 60, kMaxPositions = 24, kBatch = 16, kSeq = 12;

model::BertConfig parity_config() {
  model::BertConfig c;
  c.vocab_size = kVocab;
  c.hidden_size = 32;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;  // head_dim 8
  c.intermediate_size = 64;
  c.max_position_embeddings = kMaxPositions;
  c.set_num_labels(3);
  return c;
}

text::Tokenizer parity_tokenizer() {
  std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  while (static_cast<int64_t>(tokens.size()) < kVocab) tokens.push_back("w" + std::to_string(tokens.size()));
  return text::Tokenizer::from_vocab(tokens);
}

// BERT's own initialisation (N(0, 0.02), zero biases, unit LayerNorms) makes every logit ~0 and every
// prediction a near tie; weights of unit gain, biases and LayerNorm affines that are not identities make
// the comparison mean something.
void randomize(model::BertImpl& m, uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  for (auto& p : m.named_parameters(true)) {
    const std::string& name = p.key();
    torch::Tensor t = p.value();
    if (name.find("LayerNorm.weight") != std::string::npos) t.copy_(1.0 + 0.2 * torch::randn_like(t));
    else if (t.dim() == 1) t.copy_(0.2 * torch::randn_like(t));
    else if (name.find("embeddings") != std::string::npos) t.copy_(torch::randn_like(t));
    else t.copy_(torch::randn_like(t) / std::sqrt(static_cast<double>(t.size(1))));
  }
}

// Random ids, two segments, and padding at the end of every other sequence (mask 0, id 0).
model::BertInputs random_inputs(uint64_t seed) {
  torch::manual_seed(seed);
  model::BertInputs in;
  in.input_ids = torch::randint(5, kVocab, {kBatch, kSeq}, torch::kLong);
  in.token_type_ids = torch::zeros({kBatch, kSeq}, torch::kLong);
  in.attention_mask = torch::ones({kBatch, kSeq}, torch::kLong);
  for (int64_t b = 0; b < kBatch; ++b) {
    const int64_t len = b % 2 ? kSeq : 3 + b % (kSeq - 3);
    in.token_type_ids.index_put_({b, torch::indexing::Slice(len / 2, len)}, 1);
    in.attention_mask.index_put_({b, torch::indexing::Slice(len, torch::indexing::None)}, 0);
    in.input_ids.index_put_({b, torch::indexing::Slice(len, torch::indexing::None)}, 0);
  }
  return in;
}

// A model file in a directory of this process, removed with it.
class TempModelFile {
 public:
  explicit TempModelFile(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() / ("jpqd_runtime_vs_torch_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~TempModelFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path() const { return (dir_ / "model.jpqd").string(); }

 private:
  std::filesystem::path dir_;
};

std::vector<int64_t> flat(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

// The runtime's outputs as tensors shaped like the LibTorch model's ("logits" or "start"/"end").
std::map<std::string, torch::Tensor> run_runtime(const std::string& path, const model::BertInputs& in) {
  const runtime::Model rt = runtime::Model::load(path);
  const runtime::Logits out =
      rt.run(flat(in.input_ids), flat(in.attention_mask), flat(in.token_type_ids), kBatch, kSeq);
  auto tensor = [](const std::vector<float>& v, std::vector<int64_t> shape) {
    return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat).clone();
  };
  if (out.task == runtime::Task::kQuestionAnswering)
    return {{"start", tensor(out.start_logits, {kBatch, kSeq})}, {"end", tensor(out.end_logits, {kBatch, kSeq})}};
  return {{"logits", tensor(out.logits, {kBatch, out.num_labels})}};
}

std::map<std::string, torch::Tensor> run_torch(model::BertImpl& m, const model::BertInputs& in) {
  torch::NoGradGuard no_grad;
  const model::BertOutputs out = m.forward(in);
  if (m.head() == model::TaskHead::kQuestionAnswering) return {{"start", out.start_logits}, {"end", out.end_logits}};
  return {{"logits", out.logits}};
}

double max_abs_diff(const std::map<std::string, torch::Tensor>& a, const std::map<std::string, torch::Tensor>& b) {
  double d = 0;
  for (const auto& [name, t] : a) d = std::max(d, (t - b.at(name)).abs().max().item<double>());
  return d;
}

class RuntimeVsTorchModel : public ::testing::TestWithParam<model::TaskHead> {
 protected:
  std::string head_name() const { return GetParam() == model::TaskHead::kQuestionAnswering ? "qa" : "cls"; }
};

TEST_P(RuntimeVsTorchModel, Fp32LogitsMatch) {
  model::Bert m(parity_config(), GetParam());
  randomize(*m, 5);
  m->eval();
  const TempModelFile file("fp32_" + head_name());
  const std::string path = file.path();
  write_model_file(build_exported_model(*m, nullptr), parity_tokenizer(), path);

  const model::BertInputs in = random_inputs(9);
  const auto want = run_torch(*m, in);
  const auto got = run_runtime(path, in);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, t] : want) {
    ASSERT_EQ(got.at(name).sizes(), t.sizes()) << name;
    EXPECT_GT(t.std().item<double>(), 0.1) << name << ": degenerate logits would compare trivially";
  }
  const double diff = max_abs_diff(got, want);
  std::printf("FP32 %s: max |runtime - LibTorch| = %.3g (budget %.0e)\n", head_name().c_str(), diff,
              kMaxFp32LogitAbsDiff);
  EXPECT_LT(diff, kMaxFp32LogitAbsDiff);
}

TEST_P(RuntimeVsTorchModel, Int8PredictionsMatchTheFakeQuantizedModel) {
  model::Bert m(parity_config(), GetParam());
  randomize(*m, 6);
  m->eval();
  const model::BertInputs in = random_inputs(10);
  const auto fp32 = run_torch(*m, in);

  auto controller = compression::build_controller(
      compression::CompressionConfig::parse(Json::parse(kQuantizationConfig), "test"), *m, {});
  ASSERT_EQ(controller->init_samples_needed(), 32);
  {
    torch::NoGradGuard no_grad;
    controller->begin_initialization();
    for (uint64_t s = 0; s < 2; ++s) m->forward(random_inputs(100 + s));  // 2 x 16 samples
    controller->end_initialization(nullptr);
  }
  ExportNotes notes;
  const ExportedModel exported = build_exported_model(*m, controller.get(), &notes);
  ASSERT_TRUE(notes.quantized) << "ranges were not initialised";
  const TempModelFile file("int8_" + head_name());
  const std::string path = file.path();
  write_model_file(exported, parity_tokenizer(), path);
  ASSERT_TRUE(runtime::Model::load(path).info().int8);

  const auto fake_quantized = run_torch(*m, in);
  const auto got = run_runtime(path, in);
  const double quantization_effect = max_abs_diff(fake_quantized, fp32);
  const double diff = max_abs_diff(got, fake_quantized);
  torch::Tensor sequence_differs = torch::zeros({kBatch}, torch::kBool);
  for (const auto& [name, want] : fake_quantized) {
    const torch::Tensor d = (got.at(name) - want).abs().reshape({kBatch, -1});
    sequence_differs = sequence_differs | (std::get<0>(d.max(1)) >= kMaxFp32LogitAbsDiff);
  }
  const int64_t flipped = sequence_differs.sum().item<int64_t>();
  std::printf("INT8 %s: max |runtime - fake-quantized LibTorch| = %.3g, quantization's own effect %.3g (ratio %.3f, "
              "budget %.1f); %lld of %lld sequences beyond %.0e (budget %lld)\n",
              head_name().c_str(), diff, quantization_effect, diff / quantization_effect,
              kMaxInt8DiffShareOfQuantizationEffect, static_cast<long long>(flipped), static_cast<long long>(kBatch),
              kMaxFp32LogitAbsDiff, static_cast<long long>(kMaxFlipAffectedSequences));
  EXPECT_GT(quantization_effect, 1e-2) << "the quantizers changed nothing: the comparison would prove nothing";
  EXPECT_LE(flipped, kMaxFlipAffectedSequences);
  EXPECT_LE(diff, kMaxInt8DiffShareOfQuantizationEffect * quantization_effect);
  for (const auto& [name, want] : fake_quantized) {
    const torch::Tensor agree = got.at(name).argmax(-1) == want.argmax(-1);
    EXPECT_TRUE(agree.all().item<bool>()) << name << ": predictions differ on "
                                          << (kBatch - agree.sum().item<int64_t>()) << " of " << kBatch;
  }
}

INSTANTIATE_TEST_SUITE_P(Heads, RuntimeVsTorchModel,
                         ::testing::Values(model::TaskHead::kSequenceClassification,
                                           model::TaskHead::kQuestionAnswering),
                         [](const ::testing::TestParamInfo<model::TaskHead>& info) {
                           return std::string(info.param == model::TaskHead::kQuestionAnswering ? "QuestionAnswering"
                                                                                                : "Classification");
                         });

}  // namespace
}  // namespace jpqd::exporter
