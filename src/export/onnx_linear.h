// Linear layers and activation quantizers in ONNX, shared by every part of the BERT graph.
//
//   activation quantizer   x -> QuantizeLinear(scale, zero_point) -> DequantizeLinear -> x'
//                          (zero point uint8, or int8 when the quantizer is signed; per tensor)
//   FP32 Linear            y = MatMul(x, Wᵀ) + b          Wᵀ stored as "<module>.weight_transposed" [in, out]
//   INT8 Linear            y = MatMul(x', DequantizeLinear(Wq, s, 0, axis=1)) + b
//                          Wq = int8 weight stored transposed [in, out] ("<module>.weight_quantized"), one
//                          scale per output channel ("<module>.weight_scale"), int8 zero points
//
// The weight is transposed once here rather than by a Transpose node so that ONNX Runtime sees the
// DequantizeLinear -> MatMul pattern it fuses into an integer matmul.
#pragma once

#include <string>

#include "export/exported_model.h"
#include "export/onnx_graph_builder.h"

namespace jpqd::exporter {

struct OnnxExportContext {
  const ExportedModel& model;
  OnnxGraphBuilder& graph;

  // The FP32 tensor by Hugging Face name; InvalidArgument when the export lacks it.
  const torch::Tensor& tensor(const std::string& name) const;
};

// QuantizeLinear -> DequantizeLinear on `x`; scale and zero point are named "<scope>.scale" / ".zero_point".
std::string emit_fake_quantize(OnnxExportContext& ctx, const std::string& x, const ActivationQuant& quant,
                               const std::string& scope);

// The input quantizer of Linear `module` (Hugging Face module name), if the export has one.
const ActivationQuant* linear_input_quant(const ExportedModel& model, const std::string& module);

// y = x·Wᵀ + b for the Hugging Face Linear `module`, with its weight and (unless `quantize_input` is false,
// because the caller already quantized x) its input quantizer as the export defines them. The result is
// named `output_name` when given (graph outputs), else "<module>/output".
std::string emit_linear(OnnxExportContext& ctx, const std::string& module, const std::string& x,
                        bool quantize_input = true, const std::string& output_name = "");

}  // namespace jpqd::exporter
