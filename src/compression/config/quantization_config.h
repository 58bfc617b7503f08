// quantization section of an NNCF config (docs/algorithms.md 3), as NNCF and Optimum Intel's JPQD configs write it:
//
//   {"algorithm": "quantization", "preset": "performance" | "mixed",
//    "weights": {"mode", "bits", "per_channel", "signed", "ignored_scopes", "target_scopes", "validate_scopes"},
//    "activations": {same keys},
//    "overflow_fix": "enable" | "disable" | "first_layer_only",
//    "initializer": {"range": {"num_init_samples", "type": "mixed_min_max" | "min_max" | "mean_min_max" | "percentile",
//                              "params": {"min_percentile", "max_percentile"}},
//                    "batchnorm_adaptation": {"num_bn_adaptation_samples"}},
//    "ignored_scopes", "target_scopes", "validate_scopes",
//    "scope_overrides": {"weights" | "activations": {"<scope>": {"mode", "bits", "per_channel", "signed"}}},
//    "compression_lr_multiplier", "export_to_onnx_standard_ops", "quantize_inputs", "quantize_outputs"}
//
// Parsing is strict (unknown keys and values are errors naming the key path). Checks that need the model
// (scopes that match nothing, num_init_samples against the training set) happen in build_quantization.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json_util.h"

namespace jpqd::compression {

enum class QuantizationMode { kSymmetric, kAsymmetric };
enum class RangeInitType { kMixedMinMax, kMinMax, kMeanMinMax, kPercentile };
enum class OverflowFix { kEnable, kDisable, kFirstLayerOnly };

const char* to_string(QuantizationMode mode);
const char* to_string(RangeInitType type);
const char* to_string(OverflowFix fix);

// What a config says about one group of quantizers; unset fields fall back to the group, then to the preset.
struct QuantizerSpecOverride {
  std::optional<QuantizationMode> mode;
  std::optional<int64_t> bits;
  std::optional<bool> per_channel;
  std::optional<bool> is_signed;
};

// A resolved spec.
struct QuantizerSpec {
  QuantizationMode mode = QuantizationMode::kSymmetric;
  int64_t bits = 8;
  bool per_channel = false;
  std::optional<bool> is_signed;  // nullopt = decided at range initialisation (activations)
};

struct QuantizerGroupConfig {
  QuantizerSpecOverride spec;
  std::vector<std::string> ignored_scopes;  // only for this group
  std::vector<std::string> target_scopes;
  // NNCF's schema accepts it here, but its builder reads validate_scopes only from the algorithm section
  // (nncf/common/compression.py), so the group's scopes follow QuantizationConfig::validate_scopes.
  std::optional<bool> validate_scopes;
};

struct QuantizationConfig {
  std::string preset = "performance";  // performance | mixed
  QuantizerGroupConfig weights;
  QuantizerGroupConfig activations;
  OverflowFix overflow_fix = OverflowFix::kEnable;
  // NNCF's defaults (RangeInitConfig.from_dict): 256 samples, mixed_min_max, percentiles 0.1 / 99.9.
  // 0 samples = no range initialisation.
  int64_t num_init_samples = 256;
  RangeInitType range_init_type = RangeInitType::kMixedMinMax;
  double min_percentile = 0.1, max_percentile = 99.9;
  std::optional<int64_t> num_bn_adaptation_samples;  // accepted; BERT has no BatchNorm
  std::vector<std::string> ignored_scopes;
  std::vector<std::string> target_scopes;
  bool validate_scopes = true;  // NNCF's switch: false = scopes that match nothing are not an error
  // scope pattern -> overriding values, in the order written
  std::vector<std::pair<std::string, QuantizerSpecOverride>> weight_overrides;
  std::vector<std::pair<std::string, QuantizerSpecOverride>> activation_overrides;
  // Multiplies the gradients of the quantizer parameters; unset here, the config's top-level value applies.
  std::optional<double> compression_lr_multiplier;

  // Weights: symmetric, per output channel (the first option of NNCF's CPU hardware config), signed.
  QuantizerSpec weight_spec() const;
  // Activations: preset mode (asymmetric under "mixed"), per tensor, sign decided at initialisation.
  QuantizerSpec activation_spec() const;

  static QuantizationConfig parse(const Json& json, const std::string& where);
};

// `base` with the fields `o` sets replaced.
QuantizerSpec apply_override(QuantizerSpec base, const QuantizerSpecOverride& o);

}  // namespace jpqd::compression
