// DistilBERT, RoBERTa and XLM-R through the project's own export path (build_exported_model +
// write_model_file) into the Torch-free runtime, against the LibTorch model (itself parity-tested against
// transformers' formulas in tests/unit/model/family_parity_test.cc), per family and head, with the budgets of
// runtime_vs_torch_model_test.cc (the reasoning behind them is there): FP32 within 1e-4; INT8 against the
// fake-quantized LibTorch forward, flips in at most half of the sequences and no further than quantization
// itself moves the outputs; physically pruned heads and neurons within 1e-4 of the masked model.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <jpqd/runtime.h>

#include "common/error.h"
#include "compression/build_controller.h"
#include "compression/sparsity/movement/kept_units.h"
#include "export/build_exported_model.h"
#include "export/model_file_export.h"
#include "export/physical_pruner.h"
#include "family_export_test_support.h"

namespace jpqd::exporter {
namespace {

using namespace family_export_testing;  // NOLINT: this folder's family fixtures

std::map<std::string, torch::Tensor> family_run_runtime(const std::string& path, const model::BertInputs& in) {
  const runtime::Model rt = runtime::Model::load(path);
  const runtime::Logits out =
      rt.run(family_flat(in.input_ids), family_flat(in.attention_mask), family_flat(in.token_type_ids), kFamilyBatch, kFamilySeq);
  auto tensor = [](const std::vector<float>& v, std::vector<int64_t> shape) {
    return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat).clone();
  };
  if (out.task == runtime::Task::kQuestionAnswering)
    return {{"start", tensor(out.start_logits, {kFamilyBatch, kFamilySeq})}, {"end", tensor(out.end_logits, {kFamilyBatch, kFamilySeq})}};
  return {{"logits", tensor(out.logits, {kFamilyBatch, out.num_labels})}};
}

class FamilyRuntimeParity : public ::testing::TestWithParam<FamilyCase> {};

TEST_P(FamilyRuntimeParity, Fp32LogitsMatch) {
  const model::BertConfig config = family_parity_config(GetParam().model_type);
  model::Bert m(config, GetParam().head);
  randomize_family_model(*m, 5);
  m->eval();
  const FamilyModelFile file("fp32_" + family_case_name(GetParam()));
  write_model_file(build_exported_model(*m, nullptr), family_parity_tokenizer(), file.path());
  const runtime::Model rt = runtime::Model::load(file.path());
  EXPECT_EQ(rt.info().model_type, GetParam().model_type);
  // Text goes through the tokenizer the file carries: the same logits as its ids through run().
  const text::Encoding e = family_parity_tokenizer().encode("w5 w6", std::string("w7"));
  const auto n = static_cast<int64_t>(e.input_ids.size());
  const std::vector<int64_t> types = config.architecture().token_type_embeddings ? e.token_type_ids
                                                                                 : std::vector<int64_t>(e.input_ids.size(), 0);
  const runtime::Logits from_text = rt.run_text({"w5 w6"}, {"w7"});
  const runtime::Logits from_ids = rt.run(e.input_ids, e.attention_mask, types, 1, n);
  EXPECT_EQ(from_text.seq_len, n);
  EXPECT_EQ(from_text.logits, from_ids.logits);
  EXPECT_EQ(from_text.start_logits, from_ids.start_logits);

  const model::BertInputs in = family_random_inputs(config, 9);
  const auto want = family_run_torch(*m, in);
  const auto got = family_run_runtime(file.path(), in);
  for (const auto& [name, t] : want) {
    ASSERT_EQ(got.at(name).sizes(), t.sizes()) << name;
    EXPECT_GT(t.std().item<double>(), 0.1) << name << ": degenerate logits would compare trivially";
  }
  const double diff = family_max_abs_diff(got, want);
  std::printf("FP32 %s: max |runtime - LibTorch| = %.3g (budget %.0e)\n", family_case_name(GetParam()).c_str(), diff,
              kFamilyMaxFp32LogitAbsDiff);
  EXPECT_LT(diff, kFamilyMaxFp32LogitAbsDiff);
}

TEST_P(FamilyRuntimeParity, Int8PredictionsMatchTheFakeQuantizedModel) {
  const model::BertConfig config = family_parity_config(GetParam().model_type);
  model::Bert m(config, GetParam().head);
  randomize_family_model(*m, 6);
  m->eval();
  const model::BertInputs in = family_random_inputs(config, 10);
  const auto fp32 = family_run_torch(*m, in);

  auto controller = compression::build_controller(
      compression::CompressionConfig::parse(Json::parse(kFamilyQuantizationConfig), "test"), *m, {});
  {
    torch::NoGradGuard no_grad;
    controller->begin_initialization();
    for (uint64_t s = 0; s < 2; ++s) m->forward(family_random_inputs(config, 100 + s));
    controller->end_initialization(nullptr);
  }
  ExportNotes notes;
  const ExportedModel exported = build_exported_model(*m, controller.get(), &notes);
  ASSERT_TRUE(notes.quantized) << "ranges were not initialised";
  EXPECT_EQ(exported.query_quant.size(), 2u) << "Q·Kᵀ is quantized in every layer, so the runtime's path is tested";
  const FamilyModelFile file("int8_" + family_case_name(GetParam()));
  write_model_file(exported, family_parity_tokenizer(), file.path());
  ASSERT_TRUE(runtime::Model::load(file.path()).info().int8);

  const auto fake_quantized = family_run_torch(*m, in);
  const auto got = family_run_runtime(file.path(), in);
  const double quantization_effect = family_max_abs_diff(fake_quantized, fp32);
  const double diff = family_max_abs_diff(got, fake_quantized);
  torch::Tensor sequence_differs = torch::zeros({kFamilyBatch}, torch::kBool);
  for (const auto& [name, want] : fake_quantized) {
    const torch::Tensor d = (got.at(name) - want).abs().reshape({kFamilyBatch, -1});
    sequence_differs = sequence_differs | (std::get<0>(d.max(1)) >= kFamilyMaxFp32LogitAbsDiff);
  }
  const int64_t flipped = sequence_differs.sum().item<int64_t>();
  std::printf("INT8 %s: max |runtime - fake-quantized LibTorch| = %.3g, quantization's own effect %.3g (ratio %.3f); "
              "%lld of %lld sequences beyond %.0e\n",
              family_case_name(GetParam()).c_str(), diff, quantization_effect, diff / quantization_effect,
              static_cast<long long>(flipped), static_cast<long long>(kFamilyBatch), kFamilyMaxFp32LogitAbsDiff);
  EXPECT_GT(quantization_effect, 1e-2) << "the quantizers changed nothing: the comparison would prove nothing";
  EXPECT_LE(flipped, kFamilyMaxFlipAffectedSequences);
  EXPECT_LE(diff, kFamilyMaxInt8DiffShareOfQuantizationEffect * quantization_effect);
  for (const auto& [name, want] : fake_quantized) {
    const torch::Tensor agree = got.at(name).argmax(-1) == want.argmax(-1);
    EXPECT_TRUE(agree.all().item<bool>()) << name << ": predictions differ on "
                                          << (kFamilyBatch - agree.sum().item<int64_t>()) << " of " << kFamilyBatch;
  }
}

TEST_P(FamilyRuntimeParity, PhysicallyPrunedModelMatchesTheMaskedModel) {
  const model::BertConfig config = family_parity_config(GetParam().model_type);
  model::Bert m(config, GetParam().head);
  randomize_family_model(*m, 7);
  auto controller = compression::build_controller(
      compression::CompressionConfig::parse(family_movement_config(GetParam().model_type), "test"), *m,
      {});
  const std::vector<std::vector<int64_t>> heads = {{1, 3}, {}};
  const std::vector<std::vector<int64_t>> neurons = {{0, 5, 7, 40}, {2, 3, 63}};
  compression::set_kept_units(m->graph(), config.head_dim(), heads, neurons);
  m->eval();

  const PruningPlan plan = make_pruning_plan(*m, /*structured=*/true);
  ASSERT_EQ(plan.layers.at(0).kept_heads, heads[0]) << "the sparsifiers did not land on the family's attention";
  ASSERT_EQ(plan.layers.at(1).kept_neurons, neurons[1]) << "the sparsifiers did not land on the family's FFN";
  const PrunedState pruned = prune_physically(m->config(), masked_state_dict(*m), plan);
  ExportedModel exported;
  exported.config = pruned.config;
  exported.head = GetParam().head;
  exported.tensors = pruned.tensors;
  const FamilyModelFile file("pruned_" + family_case_name(GetParam()));
  write_model_file(exported, family_parity_tokenizer(), file.path());
  const runtime::Model rt = runtime::Model::load(file.path());
  EXPECT_EQ(rt.info().heads_per_layer, (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(rt.info().ffn_per_layer, (std::vector<int64_t>{4, 3}));

  const model::BertInputs in = family_random_inputs(config, 11);
  const double diff = family_max_abs_diff(family_run_runtime(file.path(), in), family_run_torch(*m, in));
  std::printf("pruned %s: max |runtime - masked LibTorch| = %.3g (budget %.0e)\n",
              family_case_name(GetParam()).c_str(), diff, kFamilyMaxFp32LogitAbsDiff);
  EXPECT_LT(diff, kFamilyMaxFp32LogitAbsDiff);
}

INSTANTIATE_TEST_SUITE_P(
    Families, FamilyRuntimeParity,
    ::testing::Values(FamilyCase{"distilbert", model::TaskHead::kSequenceClassification},
                      FamilyCase{"distilbert", model::TaskHead::kQuestionAnswering},
                      FamilyCase{"roberta", model::TaskHead::kSequenceClassification},
                      FamilyCase{"roberta", model::TaskHead::kQuestionAnswering},
                      FamilyCase{"xlm-roberta", model::TaskHead::kSequenceClassification},
                      FamilyCase{"xlm-roberta", model::TaskHead::kQuestionAnswering}),
    [](const ::testing::TestParamInfo<FamilyCase>& info) { return family_case_name(info.param); });

}  // namespace
}  // namespace jpqd::exporter
