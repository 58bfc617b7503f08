// A readable description of every quantizer of a model (what `jpqd quantizers` prints).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "common/json_util.h"
#include "compression/quantization/fake_quantizer.h"
#include "compression/quantization/quantizer_placement.h"

namespace jpqd::compression {

struct QuantizerInfo {
  std::string name;   // "<node name>.<hook name>", e.g. "bert.encoder.layer.0.output.dense.input_quantizer"
  std::string scope;  // the node's NNCF-style scope
  QuantizerKind kind = QuantizerKind::kWeight;
  QuantizationMode mode = QuantizationMode::kSymmetric;
  int64_t bits = 8;
  bool per_channel = false;
  int64_t channels = 1;
  bool is_signed = false;
  bool half_range = false;
  bool initialized = false;
  QuantizerLevels levels;
  torch::Tensor low, high;  // the current range [lo, lo + R], one value per channel (float)

  Json to_json() const;  // ranges as numbers (per tensor) or as min/max over channels (per channel)
};

QuantizerInfo describe_quantizer(const std::string& name, const std::string& scope, QuantizerKind kind,
                                 const FakeQuantizer& q);

// One line per quantizer: name, kind, mode, bits, granularity, sign, levels, range.
std::string format_quantizer_table(const std::vector<QuantizerInfo>& infos);

}  // namespace jpqd::compression
