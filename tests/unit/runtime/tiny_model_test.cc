// Whole tiny models (pruned: per-layer heads 2/0/3/1, FFN 64/48/40/0; FP32, INT8 with asymmetric,
// signed and per-layer quantizers, s8 and f16 embeddings) against the float64 reference forward in
// tests/fixtures/runtime/make_tiny_models.py, which also wrote the files with its own writer.
#include <gtest/gtest.h>

#include <cmath>

#include "common/json_util.h"
#include "jpqd/runtime.h"

namespace jpqd::runtime {
namespace {

// f32 arithmetic against a float64 reference: sums of at most ~64 O(1) terms per layer, four layers,
// LayerNorms renormalising in between. Each f32 operation is good to 6e-8 relative; 1e-5 on O(1)
// logits leaves a margin of ~10x over the accumulated rounding and is 10x tighter than 1e-4.
constexpr double kMaxFp32LogitAbsError = 1e-5;
// INT8: the same f32 rounding, plus one risk: a value within f32 rounding of a quantization boundary
// (k + 0.5 levels) may round to the other level than in float64, moving a logit by far more than this.
// Our f32 activations differ from float64 by ~1e-7 relative, i.e. < 1e-5 levels at |x / scale| <= 128.
// The fixture records how close any value came to a boundary (closest_rounding_tie, in levels); the
// test requires it above kMinTieDistanceLevels, so no level can flip and the FP32 budget applies.
constexpr double kMaxInt8LogitAbsError = 1e-5;
constexpr double kMinTieDistanceLevels = 1e-5;

std::string fixture(const std::string& name) {
  return std::string(JPQD_SOURCE_DIR) + "/tests/fixtures/runtime/" + name;
}

struct Inputs {
  int64_t batch, seq_len;
  std::vector<int64_t> ids, mask, types;
  Json expected;
};

Inputs read_inputs() {
  Json j = read_json_file(fixture("expected.json"));
  return {j["batch"], j["seq_len"], j["input_ids"].get<std::vector<int64_t>>(),
          j["attention_mask"].get<std::vector<int64_t>>(), j["token_type_ids"].get<std::vector<int64_t>>(),
          j["models"]};
}

double max_abs_diff(const std::vector<float>& got, const Json& want_rows) {
  std::vector<double> want;
  for (const auto& row : want_rows)
    for (const auto& v : row) want.push_back(v.get<double>());
  EXPECT_EQ(got.size(), want.size());
  double worst = 0;
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  return worst;
}

void check_model(const std::string& name, double budget) {
  const Inputs in = read_inputs();
  Model model = Model::load(fixture(name + ".jpqd"));
  Logits out = model.run(in.ids, in.mask, in.types, in.batch, in.seq_len);
  const Json& want = in.expected[name];
  if (want.contains("closest_rounding_tie")) {
    ASSERT_GE(want["closest_rounding_tie"].get<double>(), kMinTieDistanceLevels) << "regenerate with another seed";
  }
  if (want.contains("logits")) {
    EXPECT_EQ(out.task, Task::kSequenceClassification);
    ASSERT_EQ(out.logits.size(), static_cast<size_t>(in.batch * 3));
    const double err = max_abs_diff(out.logits, want["logits"]);
    EXPECT_LE(err, budget) << name;
    ::testing::Test::RecordProperty(name + "_max_abs_error", std::to_string(err));
  } else {
    EXPECT_EQ(out.task, Task::kQuestionAnswering);
    const double es = max_abs_diff(out.start_logits, want["start_logits"]);
    const double ee = max_abs_diff(out.end_logits, want["end_logits"]);
    EXPECT_LE(es, budget) << name;
    EXPECT_LE(ee, budget) << name;
  }
}

TEST(TinyModel, Fp32ClassificationMatchesReference) { check_model("tiny_fp32_cls", kMaxFp32LogitAbsError); }
TEST(TinyModel, Fp32QuestionAnsweringReluMatchesReference) {
  check_model("tiny_fp32_qa_relu", kMaxFp32LogitAbsError);
}
TEST(TinyModel, Int8ClassificationMatchesReference) { check_model("tiny_int8_cls", kMaxInt8LogitAbsError); }
TEST(TinyModel, Int8QuestionAnsweringMatchesReference) { check_model("tiny_int8_qa", kMaxInt8LogitAbsError); }

TEST(TinyModel, InfoDescribesThePrunedShape) {
  Model model = Model::load(fixture("tiny_int8_cls.jpqd"));
  const ModelInfo& info = model.info();
  EXPECT_TRUE(info.int8);
  EXPECT_EQ(info.heads_per_layer, (std::vector<int64_t>{2, 0, 3, 1}));
  EXPECT_EQ(info.ffn_per_layer, (std::vector<int64_t>{64, 48, 40, 0}));
  EXPECT_EQ(info.labels, (std::vector<std::string>{"neg", "neutral", "pos"}));
  EXPECT_EQ(info.max_sequence_length, 16);
}

}  // namespace
}  // namespace jpqd::runtime
