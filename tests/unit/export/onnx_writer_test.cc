// The ONNX file itself: valid for onnx's own checker, opset/IR, dynamic axes, and one Q/DQ pair per
// quantizer of the export (counted from the ExportedModel, not from the writer's code).
#include "export/onnx_writer.h"

#include <gtest/gtest.h>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <filesystem>

#include "common/error.h"
#include "common/file_io.h"
#include "onnx_test_support.h"

namespace jpqd::exporter {
namespace {

namespace fs = std::filesystem;
using testing::make_inputs;
using testing::make_temp_dir;
using testing::make_tiny_model;
using testing::TinyModelSpec;

onnx::ModelProto read_model(const std::string& path) {
  onnx::ModelProto proto;
  const std::string bytes = read_text_file(path);
  EXPECT_TRUE(proto.ParseFromString(bytes)) << path;
  return proto;
}

int count_ops(const onnx::ModelProto& m, const std::string& op) {
  int n = 0;
  for (const auto& node : m.graph().node()) n += node.op_type() == op;
  return n;
}

ExportedModel tiny(model::TaskHead head, bool quantized) {
  TinyModelSpec spec;
  spec.head = head;
  spec.quantized = quantized;
  return make_tiny_model(spec, make_inputs(3));
}

// onnx's checker, then strict shape and type inference: every node's inputs must have the types its
// schema accepts, and the inferred output shapes must agree with the declared ones.
void check_with_onnx(const onnx::ModelProto& m) {
  EXPECT_NO_THROW(onnx::checker::check_model(m));
  onnx::ModelProto inferred = m;
  try {
    onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/true, /*error_mode=*/1, true));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "shape inference: " << e.what();
  }
}

std::vector<std::string> dims_of(const onnx::ValueInfoProto& v) {
  std::vector<std::string> dims;
  for (const auto& d : v.type().tensor_type().shape().dim()) {
    dims.push_back(d.has_dim_param() ? d.dim_param() : std::to_string(d.dim_value()));
  }
  return dims;
}

TEST(OnnxWriter, Fp32ClassificationIsValidWithDynamicAxesAndNoQuantizers) {
  const std::string path = make_temp_dir("fp32_structure") + "/model.onnx";
  write_onnx(tiny(model::TaskHead::kSequenceClassification, false), path);
  const onnx::ModelProto m = read_model(path);
  check_with_onnx(m);
  EXPECT_EQ(m.ir_version(), 8);
  ASSERT_EQ(m.opset_import_size(), 1);
  EXPECT_EQ(m.opset_import(0).domain(), "");
  EXPECT_EQ(m.opset_import(0).version(), 17);
  EXPECT_EQ(m.producer_name(), "jpqd");
  ASSERT_EQ(m.graph().input_size(), 3);
  const std::vector<std::string> names = {"input_ids", "attention_mask", "token_type_ids"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(m.graph().input(i).name(), names[i]);
    EXPECT_EQ(m.graph().input(i).type().tensor_type().elem_type(), onnx::TensorProto::INT64);
    EXPECT_EQ(dims_of(m.graph().input(i)), (std::vector<std::string>{"batch", "sequence"}));
  }
  ASSERT_EQ(m.graph().output_size(), 1);
  EXPECT_EQ(m.graph().output(0).name(), "logits");
  EXPECT_EQ(dims_of(m.graph().output(0)), (std::vector<std::string>{"batch", "3"}));
  EXPECT_EQ(count_ops(m, "QuantizeLinear"), 0);
  EXPECT_EQ(count_ops(m, "DequantizeLinear"), 0);
  // Per-layer heads: layer 0 has 2, layer 1 none, so exactly one attention (two score/context MatMuls).
  // Linears: layer 0 six, layer 1 two, pooler and classifier: 10 MatMuls, +2 for attention.
  EXPECT_EQ(count_ops(m, "Softmax"), 1);
  EXPECT_EQ(count_ops(m, "MatMul"), 12);
  EXPECT_EQ(count_ops(m, "LayerNormalization"), 5);
  // Readable Hugging Face initializer names.
  bool found = false;
  for (const auto& init : m.graph().initializer()) {
    found |= init.name() == "bert.encoder.layer.0.attention.self.query.weight_transposed";
  }
  EXPECT_TRUE(found);
}

TEST(OnnxWriter, QuestionAnsweringHasStartAndEndLogitsOverTheSequence) {
  const std::string path = make_temp_dir("qa_structure") + "/model.onnx";
  write_onnx(tiny(model::TaskHead::kQuestionAnswering, false), path);
  const onnx::ModelProto m = read_model(path);
  check_with_onnx(m);
  ASSERT_EQ(m.graph().output_size(), 2);
  EXPECT_EQ(m.graph().output(0).name(), "start_logits");
  EXPECT_EQ(m.graph().output(1).name(), "end_logits");
  EXPECT_EQ(dims_of(m.graph().output(1)), (std::vector<std::string>{"batch", "sequence"}));
}

TEST(OnnxWriter, EveryQuantizerBecomesOneQdqPair) {
  const ExportedModel model = tiny(model::TaskHead::kSequenceClassification, true);
  const std::string path = make_temp_dir("int8_structure") + "/model.onnx";
  write_onnx(model, path);
  const onnx::ModelProto m = read_model(path);
  check_with_onnx(m);

  // Activation quantizers of the export, with Q, K and V sharing one (NNCF's placement).
  int activation_quantizers = static_cast<int>(model.query_quant.size() + model.key_quant.size());
  for (const auto& [module, lq] : model.linears) {
    const bool shared_kqv = module.find(".attention.self.key") != std::string::npos ||
                            module.find(".attention.self.value") != std::string::npos;
    activation_quantizers += lq.input.has_value() && !shared_kqv;
  }
  int weight_quantizers = static_cast<int>(model.embeddings.size());
  for (const auto& [module, lq] : model.linears) weight_quantizers += lq.weight.has_value();
  ASSERT_EQ(activation_quantizers, 10);  // layer 0: qkv, Q, K, context, intermediate, output; layer 1: 2; head: 2
  ASSERT_EQ(weight_quantizers, 13);      // 10 Linears + 3 embedding tables
  EXPECT_EQ(count_ops(m, "QuantizeLinear"), activation_quantizers);
  EXPECT_EQ(count_ops(m, "DequantizeLinear"), activation_quantizers + weight_quantizers);

  // Weights are int8 [in, out] with one scale per output channel on axis 1.
  std::map<std::string, const onnx::TensorProto*> inits;
  for (const auto& init : m.graph().initializer()) inits[init.name()] = &init;
  const std::string q = "bert.encoder.layer.0.intermediate.dense";
  ASSERT_TRUE(inits.count(q + ".weight_quantized"));
  const onnx::TensorProto& w = *inits.at(q + ".weight_quantized");
  EXPECT_EQ(w.data_type(), onnx::TensorProto::INT8);
  EXPECT_EQ(std::vector<int64_t>(w.dims().begin(), w.dims().end()), (std::vector<int64_t>{32, 37}));
  // Element [in=1, out=2] of the stored tensor is the export's int8 weight [out=2, in=1].
  EXPECT_EQ(static_cast<int8_t>(w.raw_data()[1 * 37 + 2]), model.linears.at(q).weight->values[2][1].item<int8_t>());
  EXPECT_EQ(inits.at(q + ".weight_scale")->dims(0), 37);
  // The activation zero points keep their signedness: uint8 for the qkv input, int8 for the context input.
  EXPECT_EQ(inits.at("bert.encoder.layer.0.attention.self.qkv_input_quantizer.zero_point")->data_type(),
            onnx::TensorProto::UINT8);
  EXPECT_EQ(inits.at("bert.encoder.layer.0.attention.output.dense.input_quantizer.zero_point")->data_type(),
            onnx::TensorProto::INT8);
}

TEST(OnnxWriter, UnwritablePathFailsWithIoError) {
  EXPECT_THROW(write_onnx(tiny(model::TaskHead::kSequenceClassification, false), "/nonexistent_dir/x/model.onnx"),
               IoError);
}

TEST(OnnxWriter, InconsistentExportFailsAndLeavesNoFile) {
  ExportedModel model = tiny(model::TaskHead::kSequenceClassification, false);
  model.tensors.erase("bert.encoder.layer.1.output.dense.bias");
  const std::string dir = make_temp_dir("missing_tensor");
  try {
    write_onnx(model, dir + "/model.onnx");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("bert.encoder.layer.1.output.dense.bias"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(dir)) << "a failed export left a file behind";
}

TEST(OnnxWriter, DisagreeingQkvQuantizersAreRejected) {
  ExportedModel model = tiny(model::TaskHead::kSequenceClassification, true);
  model.linears.at("bert.encoder.layer.0.attention.self.value").input->scale *= 2.0f;
  EXPECT_THROW(write_onnx(model, make_temp_dir("qkv_mismatch") + "/model.onnx"), InvalidArgument);
}

TEST(OnnxWriter, MaskedLmHeadIsRejected) {
  ExportedModel model = tiny(model::TaskHead::kSequenceClassification, false);
  model.head = model::TaskHead::kMaskedLM;
  EXPECT_THROW(write_onnx(model, make_temp_dir("mlm") + "/model.onnx"), InvalidArgument);
}

}  // namespace
}  // namespace jpqd::exporter
