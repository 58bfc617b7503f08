// The NNCF-format compression config: a single algorithm object, a list of them, or an object with a
// "compression" key (as Optimum Intel's OVConfig writes it). Parsing is strict: unknown algorithms,
// unknown keys and invalid values are rejected with the key path and value in the message.
#pragma once

#include <optional>
#include <string>

#include "common/json_util.h"
#include "compression/config/movement_sparsity_config.h"
#include "compression/config/quantization_config.h"

namespace jpqd::compression {

struct CompressionConfig {
  std::optional<MovementSparsityConfig> movement_sparsity;
  std::optional<QuantizationConfig> quantization;
  Json original;  // the config as given, written to the output directory as used

  static CompressionConfig parse(const Json& json, const std::string& where);
  static CompressionConfig from_file(const std::string& path);
  bool empty() const { return !movement_sparsity && !quantization; }
};

}  // namespace jpqd::compression
