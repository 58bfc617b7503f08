// quantization section of an NNCF config (ALGORITHMS.md 3).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json_util.h"

namespace jpqd::compression {

enum class QuantizationMode { kSymmetric, kAsymmetric };
enum class RangeInitType { kMinMax, kMeanMinMax, kPercentile };

struct QuantizerSpec {
  QuantizationMode mode = QuantizationMode::kSymmetric;
  int64_t bits = 8;
  bool per_channel = false;
  std::optional<bool> is_signed;  // nullopt = decided at range initialisation
};

struct QuantizationConfig {
  std::string preset = "performance";  // performance | mixed
  QuantizerSpec weights;               // defaults filled from the preset
  QuantizerSpec activations;
  std::string overflow_fix = "enable";  // enable | disable | first_layer_only
  int64_t num_init_samples = 256;
  RangeInitType range_init_type = RangeInitType::kMeanMinMax;
  double min_percentile = 0.1, max_percentile = 99.9;
  std::vector<std::string> ignored_scopes;
  std::vector<std::string> target_scopes;
  // scope pattern -> overriding spec, for weights and for activations
  std::map<std::string, QuantizerSpec> weight_overrides;
  std::map<std::string, QuantizerSpec> activation_overrides;

  static QuantizationConfig parse(const Json& json, const std::string& where);
};

}  // namespace jpqd::compression
