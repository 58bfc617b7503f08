// Shared by the quantization tests: the configs they place quantizers from, and finding one quantizer.
#pragma once

#include <stdexcept>
#include <string>

#include "common/json_util.h"
#include "compression/config/compression_config.h"
#include "compression/quantization/build_quantization.h"

namespace jpqd::compression::testing {

inline QuantizationConfig config_from(const std::string& text) {
  return QuantizationConfig::parse(Json::parse(text), "cfg");
}

// The quantization part of the seed's JPQD config.
inline QuantizationConfig jpqd_config() {
  return *CompressionConfig::from_file(std::string(JPQD_SOURCE_DIR) + "/configs/bert-base-jpqd.json").quantization;
}

inline const QuantizerEntry& entry(const QuantizationController& c, const std::string& name) {
  for (const auto& q : c.quantizers())
    if (q.placement.name == name) return q;
  throw std::runtime_error("no quantizer " + name);
}

}  // namespace jpqd::compression::testing
