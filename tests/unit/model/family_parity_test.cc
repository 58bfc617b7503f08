// DistilBERT, RoBERTa and XLM-RoBERTa (and BERT saved without a pooler or as a bare BertModel) against the
// independent reference tests/parity/family_reference.py: logits and losses of every head on padded batches,
// loaded from each family's own key names through load_pretrained.
#include <gtest/gtest.h>

#include <iostream>
#include <set>

#include "common/error.h"
#include "family_test_util.h"
#include "model/hf_checkpoint.h"

namespace jpqd::model {
namespace {

using testing::family_case;
using testing::family_expected;
using testing::max_abs_diff;
using testing::tensor_from_json;

// Same float32 math on both sides; matmul and reduction order differ between the two paths.
constexpr double kMaxFamilyLogitError = 1e-4;  // absolute, logits
constexpr double kMaxFamilyLossError = 1e-5;   // absolute, loss value

TaskHead head_of_case(const Json& e) {
  const std::string h = e["head"].get<std::string>();
  return h == "cls" ? TaskHead::kSequenceClassification : h == "qa" ? TaskHead::kQuestionAnswering : TaskHead::kMaskedLM;
}

BertInputs inputs_of_case(const Json& e) {
  return {tensor_from_json(e["input_ids"], torch::kLong), tensor_from_json(e["attention_mask"], torch::kLong),
          tensor_from_json(e["token_type_ids"], torch::kLong)};
}

BertLabels labels_of_case(const Json& e) {
  BertLabels l;
  const Json& j = e["labels"];
  if (j.contains("labels")) l.labels = tensor_from_json(j["labels"], torch::kLong);
  if (j.contains("start_positions")) l.start_positions = tensor_from_json(j["start_positions"], torch::kLong);
  if (j.contains("end_positions")) l.end_positions = tensor_from_json(j["end_positions"], torch::kLong);
  return l;
}

// The largest logit difference against the reference (and the loss checked on the way).
double expect_outputs_match(Bert& model, const Json& e) {
  torch::NoGradGuard no_grad;
  const BertOutputs out = model->forward(inputs_of_case(e));
  const Json& o = e["outputs"];
  double worst = 0;
  if (o.contains("logits")) {
    const torch::Tensor want = tensor_from_json(o["logits"]);
    EXPECT_EQ(out.logits.sizes(), want.sizes());
    worst = max_abs_diff(out.logits, want);
  } else {
    worst = std::max(max_abs_diff(out.start_logits, tensor_from_json(o["start_logits"])),
                     max_abs_diff(out.end_logits, tensor_from_json(o["end_logits"])));
  }
  EXPECT_LT(worst, kMaxFamilyLogitError);
  EXPECT_NEAR(model->loss(out, labels_of_case(e)).item<double>(), e["loss"].get<double>(), kMaxFamilyLossError);
  return worst;
}

void expect_family_parity(const std::string& name) {
  SCOPED_TRACE(name);
  const Json e = family_expected(name);
  LoadReport report;
  Bert model = load_pretrained(family_case(name), head_of_case(e), std::nullopt, &report);
  EXPECT_TRUE(report.missing.empty()) << report.missing.size() << " missing, first " << report.missing[0];
  EXPECT_TRUE(report.unexpected.empty()) << report.unexpected.size() << " unexpected, first " << report.unexpected[0];
  const double worst = expect_outputs_match(model, e);
  ::testing::Test::RecordProperty("max_abs_logit_error", std::to_string(worst));
  std::cout << name << ": max |logit difference| " << worst << "\n";
}

TEST(FamilyParity, DistilBertSequenceClassification) { expect_family_parity("distilbert_cls"); }
TEST(FamilyParity, DistilBertQuestionAnsweringReluFromBinWithPositionIds) { expect_family_parity("distilbert_qa"); }
TEST(FamilyParity, DistilBertMaskedLmWithTiedProjectorCopy) { expect_family_parity("distilbert_mlm"); }
TEST(FamilyParity, RobertaSequenceClassificationFromShardsIgnoringThePooler) { expect_family_parity("roberta_cls"); }
TEST(FamilyParity, RobertaQuestionAnswering) { expect_family_parity("roberta_qa"); }
TEST(FamilyParity, RobertaMaskedLmUsesExactGeluAndTiedCopies) { expect_family_parity("roberta_mlm"); }
TEST(FamilyParity, XlmRobertaSequenceClassificationWithConfigLayerNormEps) { expect_family_parity("xlm_roberta_cls"); }
TEST(FamilyParity, BertQuestionAnsweringSavedWithoutPooler) { expect_family_parity("bert_qa_no_pooler"); }

// A bare base model saved on its own (keys without the prefix) loads its encoder; only the head is missing.
void expect_bare_model_loads(const std::string& name, const std::set<std::string>& head_tensors) {
  SCOPED_TRACE(name);
  const Json e = family_expected(name);
  LoadReport report;
  ::testing::internal::CaptureStderr();  // the warnings about the missing head, as transformers logs them
  Bert model = load_pretrained(family_case(name), TaskHead::kSequenceClassification, std::nullopt, &report);
  load_state(*model, read_safetensors(family_case(name) + "/head.safetensors"), "head.safetensors");
  ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(std::set<std::string>(report.missing.begin(), report.missing.end()), head_tensors);
  EXPECT_TRUE(report.unexpected.empty());
  // With the reference's head weights added (second load above), the outputs are the reference's.
  expect_outputs_match(model, e);
}

TEST(FamilyParity, BareDistilBertModelWithoutPrefix) {
  expect_bare_model_loads("distilbert_bare",
                          {"pre_classifier.weight", "pre_classifier.bias", "classifier.weight", "classifier.bias"});
}

TEST(FamilyParity, BareBertModelWithoutPrefix) {
  expect_bare_model_loads("bert_bare", {"classifier.weight", "classifier.bias"});
}

TEST(FamilyParity, RobertaPositionsCountNonPadTokensFromPaddingIdx) {
  // Shifting the pads changes nothing for the real tokens: their positions do not depend on the padding.
  Bert model = load_pretrained(family_case("roberta_qa"), TaskHead::kQuestionAnswering);
  const Json e = family_expected("roberta_qa");
  BertInputs in = inputs_of_case(e);
  torch::NoGradGuard no_grad;
  const torch::Tensor start = model->forward(in).start_logits;
  // Row 2 has 5 real tokens: as a batch of its own, cut to those, it gives the same logits.
  BertInputs alone{in.input_ids.slice(0, 2, 3).slice(1, 0, 5), in.attention_mask.slice(0, 2, 3).slice(1, 0, 5),
                   in.token_type_ids.slice(0, 2, 3).slice(1, 0, 5)};
  EXPECT_LT(max_abs_diff(model->forward(alone).start_logits, start.slice(0, 2, 3).slice(1, 0, 5)), kMaxFamilyLogitError);
}

TEST(FamilyParity, SaveKeepsTheFamilysKeysAndConfigNames) {
  for (const std::string name : {"distilbert_mlm", "roberta_cls", "xlm_roberta_cls"}) {
    SCOPED_TRACE(name);
    const Json e = family_expected(name);
    Bert model = load_pretrained(family_case(name), head_of_case(e));
    const std::string dir = testing::scratch_dir("family_save_" + name);
    save_pretrained(*model, dir);
    std::set<std::string> saved;
    for (const auto& [n, t] : read_safetensors(dir + "/model.safetensors")) saved.insert(n);
    std::set<std::string> want;
    for (const auto& k : e["keys"]) want.insert(k.get<std::string>());
    if (name == "roberta_cls") {  // HF's RobertaForSequenceClassification has no pooler to save
      want.erase("roberta.pooler.dense.weight");
      want.erase("roberta.pooler.dense.bias");
    }
    EXPECT_EQ(saved, want);
    const Json config = read_json_file(dir + "/config.json");
    const Json original = read_json_file(family_case(name) + "/config.json");
    for (const auto& item : original.items()) {
      if (item.key() == "torch_dtype") continue;
      ASSERT_TRUE(config.contains(item.key())) << item.key();
      EXPECT_EQ(config[item.key()], item.value()) << item.key();
    }
    EXPECT_FALSE(config.contains("hidden_size") && name == "distilbert_mlm") << "DistilBERT's key is dim";
    Bert reloaded = load_pretrained(dir, head_of_case(e));
    expect_outputs_match(reloaded, e);
  }
}

TEST(FamilyErrors, UnknownModelTypeNamesFileAndValue) {
  const std::string dir = testing::scratch_dir("gpt2");
  write_file_atomically(dir + "/config.json", R"({"model_type": "gpt2", "n_embd": 32})");
  try {
    load_pretrained(dir, TaskHead::kSequenceClassification);
    ADD_FAILURE() << "no error";
  } catch (const FormatError& err) {
    EXPECT_EQ(std::string(err.what()), dir + "/config.json: model_type \"gpt2\" is not supported (bert, distilbert, "
                                             "roberta, xlm-roberta)");
  }
}

TEST(FamilyErrors, KeysOfAnotherFamilyAreRejectedNamingTheKey) {
  // A RoBERTa checkpoint whose config.json claims DistilBERT.
  const std::string dir = testing::scratch_dir("mixed");
  std::filesystem::copy(family_case("roberta_qa"), dir,
                        std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  Json config = read_json_file(family_case("distilbert_qa") + "/config.json");
  write_file_atomically(dir + "/config.json", config.dump());
  try {
    load_pretrained(dir, TaskHead::kQuestionAnswering);
    ADD_FAILURE() << "no error";
  } catch (const FormatError& err) {
    const std::string what = err.what();
    EXPECT_NE(what.find(dir + "/model.safetensors: tensor roberta."), std::string::npos) << what;
    EXPECT_NE(what.find("belongs to a roberta checkpoint, but config.json says model_type \"distilbert\""),
              std::string::npos)
        << what;
  }
}

}  // namespace
}  // namespace jpqd::model
