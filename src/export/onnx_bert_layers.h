// The parts of a Hugging Face encoder (BERT, DistilBERT, RoBERTa, XLM-R: names, embeddings and heads from
// the family's description) as ONNX subgraphs (opset 17), each reading its tensors and quantizers from the
// ExportedModel by Hugging Face name. Values are [batch, sequence, hidden] float32 unless noted.
#pragma once

#include <string>
#include <vector>

#include "export/onnx_linear.h"

namespace jpqd::exporter {

// LayerNorm(word[input_ids] + token_type[token_type_ids] + position[ids]), HF's order of sums; no token
// types for DistilBERT (token_type_ids stays a graph input, unused), RoBERTa's positions counted from
// padding_idx over the non-pad ids, the others 0..sequence-1.
// Int8 tables are dequantized per row (DequantizeLinear, axis 0) before the lookup.
std::string emit_embeddings(OnnxExportContext& ctx, const std::string& input_ids, const std::string& token_type_ids);

// (1 - attention_mask) * float32_min as [batch, 1, 1, sequence], added to every layer's scores.
std::string emit_additive_mask(OnnxExportContext& ctx, const std::string& attention_mask);

// Self-attention with the layer's own head count, attention output, residual and LayerNorm. With no heads
// left the block is LayerNorm(hidden + attention.output.dense.bias).
std::string emit_attention(OnnxExportContext& ctx, int64_t layer, const std::string& hidden,
                           const std::string& additive_mask);

// Intermediate Linear + activation, output Linear, residual and LayerNorm (width 0: the output bias only).
std::string emit_feed_forward(OnnxExportContext& ctx, int64_t layer, const std::string& hidden);

// Task head on the encoder output (classification: first token -> dense -> tanh or ReLU -> classifier); returns the graph output names it produced
// (classification: "logits" [batch, num_labels]; question answering: "start_logits", "end_logits" [batch, sequence]).
std::vector<std::string> emit_task_head(OnnxExportContext& ctx, const std::string& hidden);

}  // namespace jpqd::exporter
