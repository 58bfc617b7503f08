// Forward and loss parity with the independent HF-semantics reference (tests/parity/bert_reference.py),
// loaded through load_pretrained from every weight format the reference writes.
#include <gtest/gtest.h>

#include "model/hf_checkpoint.h"
#include "model_test_util.h"

namespace jpqd::model {
namespace {

using testing::max_abs_diff;
using testing::reference_case;
using testing::reference_expected;
using testing::tensor_from_json;

// Same float32 math on both sides; matmul and reduction order differ between the two paths.
constexpr double kMaxLogitError = 1e-4;  // absolute, logits
constexpr double kMaxLossError = 1e-5;   // absolute, loss value

TaskHead head_of(const Json& e) {
  const std::string h = e["head"].get<std::string>();
  return h == "cls" ? TaskHead::kSequenceClassification : h == "qa" ? TaskHead::kQuestionAnswering : TaskHead::kMaskedLM;
}

BertInputs inputs_of(const Json& e) {
  return {tensor_from_json(e["input_ids"], torch::kLong), tensor_from_json(e["attention_mask"], torch::kLong),
          tensor_from_json(e["token_type_ids"], torch::kLong)};
}

BertLabels labels_of(const Json& e) {
  BertLabels l;
  const Json& j = e["labels"];
  const bool is_long = e["label_dtype"] == "torch.int64";
  if (j.contains("labels")) l.labels = tensor_from_json(j["labels"], is_long ? torch::kLong : torch::kFloat32);
  if (j.contains("start_positions")) l.start_positions = tensor_from_json(j["start_positions"], torch::kLong);
  if (j.contains("end_positions")) l.end_positions = tensor_from_json(j["end_positions"], torch::kLong);
  return l;
}

void expect_parity(const std::string& name) {
  SCOPED_TRACE(name);
  const Json e = reference_expected(name);
  LoadReport report;
  Bert model = load_pretrained(reference_case(name), head_of(e), std::nullopt, &report);
  EXPECT_TRUE(report.missing.empty()) << report.missing.size() << " missing, first " << report.missing[0];
  EXPECT_TRUE(report.unexpected.empty()) << report.unexpected.size() << " unexpected";
  ASSERT_FALSE(model->is_training());
  torch::NoGradGuard no_grad;
  const BertOutputs out = model->forward(inputs_of(e));
  const Json& o = e["outputs"];
  if (o.contains("logits")) {
    const torch::Tensor want = tensor_from_json(o["logits"]);
    ASSERT_EQ(out.logits.sizes(), want.sizes());
    EXPECT_LT(max_abs_diff(out.logits, want), kMaxLogitError);
  }
  if (o.contains("start_logits")) {
    EXPECT_LT(max_abs_diff(out.start_logits, tensor_from_json(o["start_logits"])), kMaxLogitError);
    EXPECT_LT(max_abs_diff(out.end_logits, tensor_from_json(o["end_logits"])), kMaxLogitError);
  }
  const double loss = model->loss(out, labels_of(e)).item<double>();
  EXPECT_NEAR(loss, e["loss"].get<double>(), kMaxLossError);
}

TEST(BertParity, SequenceClassificationGeluSingleLabel) { expect_parity("cls_gelu"); }
TEST(BertParity, RegressionWithOneLabelReluAndLayerNormEps) { expect_parity("cls_regression"); }
TEST(BertParity, MultiLabelGeluNew) { expect_parity("cls_multilabel"); }
TEST(BertParity, PrunedLayersWithZeroHeadsAndNarrowFfn) { expect_parity("cls_pruned"); }
TEST(BertParity, QuestionAnsweringWithOutOfRangePositionIgnored) { expect_parity("qa"); }
TEST(BertParity, MaskedLmWithTiedDecoder) { expect_parity("mlm"); }
TEST(BertParity, Float16Safetensors) { expect_parity("cls_f16"); }
TEST(BertParity, BFloat16Safetensors) { expect_parity("cls_bf16"); }
TEST(BertParity, ShardedSafetensors) { expect_parity("cls_sharded"); }
TEST(BertParity, PytorchModelBinWithPositionIdsBuffer) { expect_parity("cls_bin"); }
TEST(BertParity, MaskedLmBinWithTiedCopies) { expect_parity("mlm_bin"); }

TEST(BertParity, DropoutIsActiveOnlyInTraining) {
  const Json e = reference_expected("cls_gelu");
  Bert model = load_pretrained(reference_case("cls_gelu"), TaskHead::kSequenceClassification);
  torch::NoGradGuard no_grad;
  const torch::Tensor eval_logits = model->forward(inputs_of(e)).logits;
  model->train();
  torch::manual_seed(0);
  const torch::Tensor train_logits = model->forward(inputs_of(e)).logits;
  EXPECT_GT(max_abs_diff(eval_logits, train_logits), kMaxLogitError);
}

TEST(BertParity, LegacyBaseModelBinLoadsEncoderAndReportsTheHead) {
  ::testing::internal::CaptureStderr();
  LoadReport report;
  Bert legacy = load_pretrained(reference_case("base_bin_legacy"), TaskHead::kSequenceClassification, std::nullopt,
                                &report);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(report.missing, (std::vector<std::string>{"classifier.weight", "classifier.bias"}));
  EXPECT_EQ(report.unexpected, (std::vector<std::string>{"cls.seq_relationship.weight", "cls.seq_relationship.bias"}));
  EXPECT_NE(log.find("Some weights of BertForSequenceClassification were not initialized from the model checkpoint "
                     "at " + reference_case("base_bin_legacy") + "/pytorch_model.bin and are newly initialized: "
                     "[classifier.weight, classifier.bias]"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("were not used when initializing BertForSequenceClassification: [cls.seq_relationship.weight, "
                     "cls.seq_relationship.bias]"),
            std::string::npos)
      << log;
  // Every encoder tensor (renamed from gamma/beta and without "bert.") equals the reference's.
  Bert full = load_pretrained(reference_case("cls_gelu"), TaskHead::kSequenceClassification);
  auto want = full->named_parameters();
  int compared = 0;
  for (const auto& p : legacy->named_parameters()) {
    if (p.key().rfind("bert.", 0) != 0) continue;
    EXPECT_TRUE(torch::equal(p.value(), want[p.key()])) << p.key();
    ++compared;
  }
  EXPECT_EQ(compared, 5 + 2 * 16 + 2);
  // The new classifier is initialised as HF does: zero bias, weight with std initializer_range.
  EXPECT_TRUE(torch::equal(legacy->named_parameters()["classifier.bias"], torch::zeros({3})));
}

}  // namespace
}  // namespace jpqd::model
