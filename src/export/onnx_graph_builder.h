// Thin helpers over onnx::GraphProto: initializers from LibTorch tensors, constants that are created once
// and shared, and nodes with one output. Names of values and nodes stay readable ("<scope>/<hint>") and
// unique, so a graph viewer shows which Hugging Face module each node came from.
#pragma once

#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace jpqd::exporter {

onnx::AttributeProto onnx_attr(const std::string& name, int64_t value);
onnx::AttributeProto onnx_attr(const std::string& name, float value);
onnx::AttributeProto onnx_attr(const std::string& name, const std::vector<int64_t>& values);

class OnnxGraphBuilder {
 public:
  explicit OnnxGraphBuilder(onnx::GraphProto* graph) : graph_(graph) {}

  // Copies the tensor's bytes once into the graph (float32, int8, uint8 or int64; made contiguous first).
  std::string add_initializer(const std::string& name, const torch::Tensor& tensor);
  // Scalar quantization parameters as QuantizeLinear/DequantizeLinear take them.
  std::string add_scalar_float(const std::string& name, float value);
  std::string add_scalar_zero_point(const std::string& name, int32_t zero_point, bool is_signed);

  // Shared constants, created on first use ("const/f32/<value>", "const/i64/[..]").
  std::string float_constant(float value);
  std::string int64_constant(const std::vector<int64_t>& values);  // 1-D
  std::string int64_scalar(int64_t value);                         // 0-D

  // Adds `op` with one output named "<scope>/<hint>" (made unique) and returns that name.
  std::string node(const std::string& op, const std::vector<std::string>& inputs, const std::string& scope,
                   const std::string& hint, const std::vector<onnx::AttributeProto>& attributes = {});

  // Graph inputs/outputs; a dimension is either a fixed size or a symbolic name ("batch", "sequence").
  struct Dim {
    int64_t size = -1;
    std::string symbol;
  };
  void add_input(const std::string& name, int32_t elem_type, const std::vector<Dim>& dims);
  void add_output(const std::string& name, int32_t elem_type, const std::vector<Dim>& dims);

 private:
  std::string unique(const std::string& name);

  onnx::GraphProto* graph_;
  std::map<std::string, int> used_names_;
  std::map<std::string, std::string> constants_;
};

}  // namespace jpqd::exporter
