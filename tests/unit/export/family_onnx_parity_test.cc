// ONNX Runtime (onnxruntime-node) runs the ONNX (QDQ) exports of DistilBERT, RoBERTa and XLM-R and must give
// the LibTorch model's outputs, per family and head: physically pruned FP32 within 1e-4 of the masked model;
// INT8 against the fake-quantized forward with the flip budgets of runtime_vs_torch_model_test.cc (ONNX
// Runtime's integers come from the same QDQ formula, so only values within float rounding of a level
// boundary may differ). INT8 runs at optimization "disabled": the optimized u8s8 kernels saturate on CPUs
// without VNNI (see onnx_runtime_parity_test.cc), and it is the QDQ semantics that is tested here.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "compression/build_controller.h"
#include "compression/sparsity/movement/kept_units.h"
#include "export/build_exported_model.h"
#include "export/onnx_writer.h"
#include "export/physical_pruner.h"
#include "family_export_test_support.h"
#include "onnx_test_support.h"

namespace jpqd::exporter {
namespace {

using namespace family_export_testing;  // NOLINT: this folder's family fixtures

// The LibTorch outputs under ONNX's output names.
std::map<std::string, torch::Tensor> family_torch_by_onnx_name(model::BertImpl& m, const model::BertInputs& in) {
  auto out = family_run_torch(m, in);
  if (out.count("logits")) return out;
  return {{"start_logits", out.at("start")}, {"end_logits", out.at("end")}};
}

std::map<std::string, torch::Tensor> family_run_ort(const std::string& path, const model::BertInputs& in,
                                                    const std::string& opt_level) {
  return testing::run_onnxruntime(path, {in.input_ids, in.attention_mask, in.token_type_ids}, opt_level);
}

class FamilyOnnxParity : public ::testing::TestWithParam<FamilyCase> {};

TEST_P(FamilyOnnxParity, PrunedFp32MatchesTheMaskedModel) {
  const model::BertConfig config = family_parity_config(GetParam().model_type);
  model::Bert m(config, GetParam().head);
  randomize_family_model(*m, 21);
  auto controller = compression::build_controller(
      compression::CompressionConfig::parse(family_movement_config(GetParam().model_type), "test"), *m, {});
  compression::set_kept_units(m->graph(), config.head_dim(), {{0, 2, 3}, {}}, {{1, 4, 9, 60}, {0, 7}});
  m->eval();
  const PruningPlan plan = make_pruning_plan(*m, /*structured=*/true);
  const PrunedState pruned = prune_physically(m->config(), masked_state_dict(*m), plan);
  ExportedModel exported;
  exported.config = pruned.config;
  exported.head = GetParam().head;
  exported.tensors = pruned.tensors;
  const std::string path = testing::make_temp_dir("family_onnx_fp32_" + family_case_name(GetParam())) + "/model.onnx";
  write_onnx(exported, path);

  const model::BertInputs in = family_random_inputs(config, 22);
  const auto want = family_torch_by_onnx_name(*m, in);
  const auto got = family_run_ort(path, in, "all");
  ASSERT_EQ(got.size(), want.size());
  double diff = 0;
  for (const auto& [name, t] : want) {
    ASSERT_EQ(got.at(name).sizes(), t.sizes()) << name;
    EXPECT_GT(t.std().item<double>(), 0.1) << name << ": degenerate outputs would compare trivially";
    diff = std::max(diff, (got.at(name) - t).abs().max().item<double>());
  }
  std::printf("ONNX FP32 pruned %s: max |ORT - LibTorch| = %.3g (budget %.0e)\n", family_case_name(GetParam()).c_str(),
              diff, kFamilyMaxFp32LogitAbsDiff);
  EXPECT_LT(diff, kFamilyMaxFp32LogitAbsDiff);
}

TEST_P(FamilyOnnxParity, Int8MatchesTheFakeQuantizedModel) {
  const model::BertConfig config = family_parity_config(GetParam().model_type);
  model::Bert m(config, GetParam().head);
  randomize_family_model(*m, 23);
  m->eval();
  const model::BertInputs in = family_random_inputs(config, 24);
  const auto fp32 = family_torch_by_onnx_name(*m, in);
  auto controller = compression::build_controller(
      compression::CompressionConfig::parse(Json::parse(kFamilyQuantizationConfig), "test"), *m, {});
  {
    torch::NoGradGuard no_grad;
    controller->begin_initialization();
    for (uint64_t s = 0; s < 2; ++s) m->forward(family_random_inputs(config, 200 + s));
    controller->end_initialization(nullptr);
  }
  ExportNotes notes;
  const ExportedModel exported = build_exported_model(*m, controller.get(), &notes);
  ASSERT_TRUE(notes.quantized) << "ranges were not initialised";
  const std::string path = testing::make_temp_dir("family_onnx_int8_" + family_case_name(GetParam())) + "/model.onnx";
  write_onnx(exported, path);

  const auto fake_quantized = family_torch_by_onnx_name(*m, in);
  const auto got = family_run_ort(path, in, "disabled");
  ASSERT_EQ(got.size(), fake_quantized.size());
  double diff = 0, quantization_effect = 0;
  torch::Tensor sequence_differs = torch::zeros({kFamilyBatch}, torch::kBool);
  for (const auto& [name, want] : fake_quantized) {
    ASSERT_EQ(got.at(name).sizes(), want.sizes()) << name;
    const torch::Tensor d = (got.at(name) - want).abs().reshape({kFamilyBatch, -1});
    sequence_differs = sequence_differs | (std::get<0>(d.max(1)) >= kFamilyMaxFp32LogitAbsDiff);
    diff = std::max(diff, d.max().item<double>());
    quantization_effect = std::max(quantization_effect, (want - fp32.at(name)).abs().max().item<double>());
    EXPECT_TRUE(torch::equal(got.at(name).argmax(-1), want.argmax(-1))) << name << ": predictions differ";
  }
  const int64_t flipped = sequence_differs.sum().item<int64_t>();
  std::printf("ONNX INT8 %s: max |ORT - fake-quantized LibTorch| = %.3g, quantization's own effect %.3g; %lld of %lld "
              "sequences beyond %.0e\n",
              family_case_name(GetParam()).c_str(), diff, quantization_effect, static_cast<long long>(flipped),
              static_cast<long long>(kFamilyBatch), kFamilyMaxFp32LogitAbsDiff);
  EXPECT_GT(quantization_effect, 1e-2) << "the quantizers changed nothing: the comparison would prove nothing";
  EXPECT_LE(flipped, kFamilyMaxFlipAffectedSequences);
  EXPECT_LE(diff, kFamilyMaxInt8DiffShareOfQuantizationEffect * quantization_effect);
}

INSTANTIATE_TEST_SUITE_P(
    Families, FamilyOnnxParity,
    // Each family's own classification head; the question-answering head is one family-independent Linear
    // (qa_outputs) on every token, so one family covers it (each ONNX Runtime start costs ~0.3 s).
    ::testing::Values(FamilyCase{"distilbert", model::TaskHead::kSequenceClassification},
                      FamilyCase{"roberta", model::TaskHead::kSequenceClassification},
                      FamilyCase{"roberta", model::TaskHead::kQuestionAnswering},
                      FamilyCase{"xlm-roberta", model::TaskHead::kSequenceClassification}),
    [](const ::testing::TestParamInfo<FamilyCase>& info) { return family_case_name(info.param); });

}  // namespace
}  // namespace jpqd::exporter
