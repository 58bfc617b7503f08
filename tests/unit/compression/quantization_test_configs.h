// Shared by the quantization tests: the configs they place quantizers from, finding one quantizer, and
// range initialisation on the tiny graph.
#pragma once

#include <stdexcept>
#include <string>

#include "common/json_util.h"
#include "compression/config/compression_config.h"
#include "compression/quantization/build_quantization.h"
#include "quantization_test_graph.h"

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

// The trainer's range initialisation (eval, no grad, begin, forwards, end) on one batch of 4 x 6 token ids.
inline void initialise_ranges(QuantizationController& c, QuantTinyBert& m, uint64_t seed) {
  torch::NoGradGuard no_grad;
  c.begin_initialization();
  torch::manual_seed(seed);
  m.forward(torch::randint(0, m.vocab, {4, 6}));
  c.end_initialization(nullptr);
}

// Records what reaches a layer's input ahead of its quantizer (hook priority 0 < 11).
struct InputRecorder : model::TensorHook {
  torch::Tensor seen;
  torch::Tensor transform(const torch::Tensor& x) override {
    seen = x.detach().clone();
    return x;
  }
};

}  // namespace jpqd::compression::testing
