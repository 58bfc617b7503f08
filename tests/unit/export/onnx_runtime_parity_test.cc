// ONNX Runtime (onnxruntime-node, the real engine) runs our ONNX exports of a tiny pruned BERT and must give
// the logits of an independent LibTorch reference forward of the same ExportedModel.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "export/onnx_writer.h"
#include "onnx_test_support.h"

namespace jpqd::exporter {
namespace {

using testing::make_inputs;
using testing::make_temp_dir;
using testing::make_tiny_model;
using testing::reference_forward;
using testing::run_onnxruntime;
using testing::TinyModelSpec;

// FP32: the budget. Both sides compute the same float32 graph; only the order of sums and the
// transcendental implementations differ (observed differences are below 1e-6).
constexpr double kMaxFp32LogitDiff = 1e-4;  // absolute, logits of magnitude ~1
// INT8: the reference fake-quantizes with the contract's formula and ONNX Runtime runs integer kernels
// (u8/s8 matmuls with int32 accumulation). Without a quantization-level flip the two agree to float
// rounding (observed ~1.5e-7 at optimization levels "all" and "disabled"). A flip (a value within float
// rounding of a rounding boundary) moves one activation by a whole step, ~1e-2 here, and the logits by
// ~1e-3 or more. 1e-4 therefore asserts that ONNX Runtime reproduced our integers, not merely similar
// numbers; with other seeds or ORT versions a rare flip could exceed it, which would be a real difference
// in quantized values worth looking at, not noise.
constexpr double kMaxInt8LogitDiff = 1e-4;  // absolute
// Quantization itself must move the logits far beyond that budget, or the INT8 cases would prove nothing
// (observed: 0.07 to 0.4 against the same model without quantizers).
constexpr double kMinQuantizationEffect = 100 * kMaxInt8LogitDiff;  // absolute

// ONNX Runtime's optimized INT8 kernels multiply u8 by s8 with VPMADDUBSW on x86 CPUs without VNNI, whose
// int16 pair sums saturate (ORT's quantization guide suggests 7-bit weights, reduce_range, for such CPUs).
// There its integers differ from the exact ones; the unoptimized sessions still check our QDQ semantics.
bool cpu_has_vnni() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::stringstream text;
  text << cpuinfo.rdbuf();
  const std::string flags = text.str();
  return flags.find(" avx512_vnni") != std::string::npos || flags.find(" avx_vnni") != std::string::npos;
}

struct Case {
  const char* name;
  model::TaskHead head;
  const char* hidden_act;
  bool quantized;
  const char* opt_level;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class OnnxRuntimeParity : public ::testing::TestWithParam<Case> {};

TEST_P(OnnxRuntimeParity, LogitsMatchTheReference) {
  const Case& c = GetParam();
  if (c.quantized && std::string(c.opt_level) != "disabled" && !cpu_has_vnni())
    GTEST_SKIP() << "no VNNI: ONNX Runtime's optimized u8s8 kernels saturate here (see cpu_has_vnni)";
  const testing::ModelInputs inputs = make_inputs(7);
  TinyModelSpec spec;
  spec.head = c.head;
  spec.hidden_act = c.hidden_act;
  spec.quantized = c.quantized;
  spec.seed = 11;
  const ExportedModel model = make_tiny_model(spec, make_inputs(3));
  ASSERT_EQ(model.quantized(), c.quantized);
  const std::string path = make_temp_dir(c.name) + "/model.onnx";
  write_onnx(model, path);

  const auto expected = reference_forward(model, inputs);
  const auto actual = run_onnxruntime(path, inputs, c.opt_level);
  // Without its quantizers the same model must be far outside the INT8 budget, or the INT8 cases would
  // not show that ONNX Runtime quantized anything.
  std::map<std::string, torch::Tensor> unquantized;
  if (c.quantized) {
    ExportedModel fp32 = model;
    fp32.linears.clear();
    fp32.query_quant.clear();
    fp32.key_quant.clear();
    fp32.embeddings.clear();
    unquantized = reference_forward(fp32, inputs);
  }
  ASSERT_EQ(actual.size(), expected.size());
  const double budget = c.quantized ? kMaxInt8LogitDiff : kMaxFp32LogitDiff;
  for (const auto& [name, want] : expected) {
    ASSERT_TRUE(actual.count(name)) << "ONNX Runtime produced no output " << name;
    const torch::Tensor& got = actual.at(name);
    ASSERT_EQ(got.sizes(), want.sizes()) << name;
    const double diff = (got - want).abs().max().item<double>();
    EXPECT_LT(diff, budget) << name << ": max |ORT - reference| = " << diff;
    if (c.quantized) {
      const double quantization_effect = (got - unquantized.at(name)).abs().max().item<double>();
      EXPECT_GT(quantization_effect, kMinQuantizationEffect) << name;
    }
    EXPECT_TRUE(torch::equal(got.argmax(-1), want.argmax(-1))) << name << ": predictions differ";
    // The reference is not degenerate: logits vary across the batch.
    EXPECT_GT(want.std().item<double>(), 0.1) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    TinyPrunedBert, OnnxRuntimeParity,
    ::testing::Values(Case{"fp32_classification_gelu", model::TaskHead::kSequenceClassification, "gelu", false, "all"},
                      Case{"fp32_qa_gelu_new", model::TaskHead::kQuestionAnswering, "gelu_new", false, "all"},
                      Case{"int8_classification_gelu", model::TaskHead::kSequenceClassification, "gelu", true, "all"},
                      Case{"int8_classification_unoptimized", model::TaskHead::kSequenceClassification, "gelu", true,
                           "disabled"},
                      Case{"int8_qa_relu", model::TaskHead::kQuestionAnswering, "relu", true, "all"},
                      Case{"int8_qa_relu_unoptimized", model::TaskHead::kQuestionAnswering, "relu", true, "disabled"},
                      Case{"int8_qa_gelu_new", model::TaskHead::kQuestionAnswering, "gelu_new", true, "all"}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace jpqd::exporter
