// Shared by the ONNX tests: a tiny pruned BERT export built from random tensors, an independent
// reference forward written in plain LibTorch ops (it does not use the model classes or the writer),
// and a call into ONNX Runtime through tools/onnxruntime/run_model.js.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <string>

#include "export/exported_model.h"

namespace jpqd::exporter::testing {

struct TinyModelSpec {
  model::TaskHead head = model::TaskHead::kSequenceClassification;
  std::string hidden_act = "gelu";
  bool quantized = false;
  uint64_t seed = 1;
};

struct ModelInputs {
  torch::Tensor input_ids, attention_mask, token_type_ids;  // int64 [B, S]
};

// 2 layers, hidden 32, 4 heads of 8; layer 0 keeps 2 heads and 37 FFN neurons, layer 1 keeps no head and
// 64 neurons; vocabulary 100, 64 positions, 3 labels. Quantized: every Linear has an input quantizer and
// int8 per-row weights, both Q·Kᵀ inputs are quantized, and all three embedding tables are int8.
// Activation ranges are calibrated on `calibration` with the FP32 reference, so quantization is neither
// saturated nor trivially coarse; the quantizers mix uint8/int8 and zero/non-zero zero points.
ExportedModel make_tiny_model(const TinyModelSpec& spec, const ModelInputs& calibration);

// Batch of 3 sequences of lengths 9, 6 and 2 (padded with id 0 and mask 0), two segments each.
ModelInputs make_inputs(uint64_t seed);

// Hugging Face BERT forward from the export's tensors, fake-quantizing exactly as exported_model.h
// specifies. Returns the outputs by ONNX output name ("logits" or "start_logits"/"end_logits").
std::map<std::string, torch::Tensor> reference_forward(const ExportedModel& model, const ModelInputs& inputs);

// Runs `onnx_path` with ONNX Runtime at graph optimization `opt_level` (disabled|basic|extended|all).
// Fails the calling test (ADD_FAILURE + empty map) when node or onnxruntime-node is missing or the run fails.
std::map<std::string, torch::Tensor> run_onnxruntime(const std::string& onnx_path, const ModelInputs& inputs,
                                                     const std::string& opt_level);

// A fresh directory under the system temp dir for one test.
std::string make_temp_dir(const std::string& name);

}  // namespace jpqd::exporter::testing
