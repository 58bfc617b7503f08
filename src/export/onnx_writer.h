// ONNX export of an ExportedModel: standard operators (opset 17, IR version 8), inputs input_ids,
// attention_mask and token_type_ids (int64 [batch, sequence], both axes dynamic), outputs "logits"
// [batch, num_labels] for sequence classification or "start_logits"/"end_logits" [batch, sequence] for
// question answering. Every quantizer of the export becomes a QuantizeLinear/DequantizeLinear pair
// (per-channel int8 weights, per-row int8 embeddings); an FP32 export has none. The graph layout is
// described in onnx_linear.h and onnx_bert_layers.h.
#pragma once

#include <string>

#include "export/exported_model.h"

namespace jpqd::exporter {

constexpr int64_t kOnnxOpsetVersion = 17;  // LayerNormalization is a standard operator from 17
constexpr int64_t kOnnxIrVersion = 8;      // the IR version that goes with opset 17

// Writes `model` to `path` atomically (temporary file, then rename). Throws InvalidArgument when the export
// is inconsistent (missing tensors, shapes, quantizer parameters) and IoError when `path` is unwritable.
void write_onnx(const ExportedModel& model, const std::string& path);

}  // namespace jpqd::exporter
