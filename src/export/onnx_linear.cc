#include "export/onnx_linear.h"

#include <cmath>

#include "common/error.h"

namespace jpqd::exporter {

const torch::Tensor& OnnxExportContext::tensor(const std::string& name) const {
  auto it = model.tensors.find(name);
  JPQD_CHECK(it != model.tensors.end() && it->second.defined(), InvalidArgument, "ONNX export: tensor \"", name,
             "\" is missing from the exported model");
  JPQD_CHECK(it->second.scalar_type() == torch::kFloat, InvalidArgument, "ONNX export: tensor \"", name,
             "\" must be float32, got ", it->second.scalar_type());
  return it->second;
}

std::string emit_fake_quantize(OnnxExportContext& ctx, const std::string& x, const ActivationQuant& quant,
                               const std::string& scope) {
  JPQD_CHECK(quant.scale > 0.0f && std::isfinite(quant.scale), InvalidArgument, "ONNX export: quantizer \"", scope,
             "\" has scale ", quant.scale, " (must be positive and finite)");
  OnnxGraphBuilder& g = ctx.graph;
  const std::string scale = g.add_scalar_float(scope + ".scale", quant.scale);
  const std::string zero_point = g.add_scalar_zero_point(scope + ".zero_point", quant.zero_point, quant.is_signed);
  const std::string q = g.node("QuantizeLinear", {x, scale, zero_point}, scope, "quantized");
  return g.node("DequantizeLinear", {q, scale, zero_point}, scope, "dequantized");
}

const ActivationQuant* linear_input_quant(const ExportedModel& model, const std::string& module) {
  auto it = model.linears.find(module);
  if (it == model.linears.end() || !it->second.input) return nullptr;
  return &*it->second.input;
}

namespace {

// Int8 weight [out, in] with scales [out] -> DequantizeLinear output of shape [in, out].
std::string emit_int8_weight(OnnxExportContext& ctx, const std::string& module, const WeightQuant& wq,
                             const torch::Tensor& fp32_weight) {
  JPQD_CHECK(wq.values.defined() && wq.values.scalar_type() == torch::kChar && wq.values.dim() == 2, InvalidArgument,
             "ONNX export: quantized weight of \"", module, "\" must be a 2-D int8 tensor");
  JPQD_CHECK(wq.values.sizes() == fp32_weight.sizes(), InvalidArgument, "ONNX export: quantized weight of \"", module,
             "\" has shape ", wq.values.sizes(), " but the weight has ", fp32_weight.sizes());
  const int64_t out = wq.values.size(0);
  JPQD_CHECK(wq.scales.defined() && wq.scales.scalar_type() == torch::kFloat && wq.scales.numel() == out,
             InvalidArgument, "ONNX export: weight scales of \"", module, "\" must be ", out, " float32 values");
  JPQD_CHECK(torch::all(wq.scales.gt(0)).item<bool>() && torch::all(torch::isfinite(wq.scales)).item<bool>(),
             InvalidArgument, "ONNX export: weight scales of \"", module, "\" must be positive and finite");
  OnnxGraphBuilder& g = ctx.graph;
  const std::string values = g.add_initializer(module + ".weight_quantized", wq.values.t());
  const std::string scales = g.add_initializer(module + ".weight_scale", wq.scales.reshape({out}));
  const std::string zeros = g.add_initializer(module + ".weight_zero_point", torch::zeros({out}, torch::kChar));
  return g.node("DequantizeLinear", {values, scales, zeros}, module, "weight_dequantized",
                {onnx_attr("axis", int64_t{1})});
}

}  // namespace

std::string emit_linear(OnnxExportContext& ctx, const std::string& module, const std::string& x, bool quantize_input,
                        const std::string& output_name) {
  OnnxGraphBuilder& g = ctx.graph;
  const torch::Tensor& weight = ctx.tensor(module + ".weight");
  const torch::Tensor& bias = ctx.tensor(module + ".bias");
  JPQD_CHECK(weight.dim() == 2 && bias.dim() == 1 && bias.size(0) == weight.size(0), InvalidArgument,
             "ONNX export: Linear \"", module, "\" has weight ", weight.sizes(), " and bias ", bias.sizes());
  auto it = ctx.model.linears.find(module);
  const LinearQuant* quant = it == ctx.model.linears.end() ? nullptr : &it->second;

  std::string input = x;
  if (quantize_input && quant && quant->input) {
    input = emit_fake_quantize(ctx, x, *quant->input, module + ".input_quantizer");
  }
  const std::string w = quant && quant->weight ? emit_int8_weight(ctx, module, *quant->weight, weight)
                                               : g.add_initializer(module + ".weight_transposed", weight.t());
  const std::string b = g.add_initializer(module + ".bias", bias);
  const std::string y = g.node("MatMul", {input, w}, module, "matmul");
  return output_name.empty() ? g.node("Add", {y, b}, module, "output") : g.node("Add", {y, b}, "", output_name);
}

}  // namespace jpqd::exporter
