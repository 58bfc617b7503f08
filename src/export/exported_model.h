// What the exporters write: a BERT after physical pruning, with masks folded into FP32 weights and, for a
// quantized run, the integers and scales each quantizer trained. The ONNX writer and the model-file writer
// both read this one description, so the two exports cannot disagree.
//
// Quantization contract (the training world fake-quantizes exactly so, docs/algorithms.md 3.2):
//   activation  q = clamp(round_half_even(x / scale) + zero_point, qmin, qmax), x' = (q - zero_point) * scale
//               qmin..qmax = -128..127 when is_signed, else 0..255
//   weight      int8 [out, in] with one scale per output row: w' = int8 * scale[row]
#pragma once

#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>

#include "common/json_util.h"
#include "model/bert.h"

namespace jpqd::exporter {

struct ActivationQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
  bool is_signed = false;
  int32_t qmin() const { return is_signed ? -128 : 0; }
  int32_t qmax() const { return is_signed ? 127 : 255; }
};

struct WeightQuant {
  torch::Tensor values;  // int8 [out, in] (embeddings: [rows, hidden])
  torch::Tensor scales;  // float32 [out] (embeddings: [rows])
};

struct LinearQuant {
  std::optional<ActivationQuant> input;  // quantizer on the Linear's input (shared by query, key and value)
  std::optional<WeightQuant> weight;
};

struct ExportedModel {
  model::BertConfig config;  // heads_per_layer / intermediate_per_layer set when pruned
  model::TaskHead head = model::TaskHead::kSequenceClassification;
  std::map<std::string, torch::Tensor> tensors;    // FP32, Hugging Face names, masks folded, pruned
  std::map<std::string, LinearQuant> linears;      // by HF module name ("bert.encoder.layer.0.attention.self.query")
  std::map<int64_t, ActivationQuant> query_quant;  // per layer: query entering Q·Kᵀ (matmul_0 input 0)
  std::map<int64_t, ActivationQuant> key_quant;    // per layer: key entering Q·Kᵀ (matmul_0 input 1)
  std::map<std::string, WeightQuant> embeddings;   // by HF tensor name of the table, when quantized
  Json pruning = Json::object();                   // PruningPlan::to_json()
  Json provenance = Json::object();                // the training run: config, steps, metrics

  bool quantized() const { return !linears.empty() || !embeddings.empty(); }
};

}  // namespace jpqd::exporter
