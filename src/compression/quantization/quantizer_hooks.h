// The quantizer attached to the model through its hooks (model/hooks.h), at kQuantizationPriority so a
// movement mask (priority 3) is applied to the weight first:
//   TensorQuantizer        - a TensorHook: an activation (Linear input, shared Q/K/V input, matmul_0 inputs)
//                            or an embedding table on its kEmbedding hook point (per row);
//   LinearWeightQuantizer  - a ParamsHook on a CompressibleLinear: fake-quantizes the weight, bias untouched.
#pragma once

#include <torch/torch.h>

#include <utility>

#include "compression/quantization/fake_quantizer.h"
#include "model/hooks.h"

namespace jpqd::compression {

class TensorQuantizer : public model::TensorHook {
 public:
  explicit TensorQuantizer(const QuantizerSettings& settings) : quantizer_(*this, settings) {}
  torch::Tensor transform(const torch::Tensor& x) override { return quantizer_(x); }
  FakeQuantizer& quantizer() { return quantizer_; }
  const FakeQuantizer& quantizer() const { return quantizer_; }

 private:
  FakeQuantizer quantizer_;
};

class LinearWeightQuantizer : public model::ParamsHook {
 public:
  explicit LinearWeightQuantizer(const QuantizerSettings& settings) : quantizer_(*this, settings) {}
  std::pair<torch::Tensor, torch::Tensor> transform(const torch::Tensor& weight, const torch::Tensor& bias) override {
    return {quantizer_(weight), bias};
  }
  FakeQuantizer& quantizer() { return quantizer_; }
  const FakeQuantizer& quantizer() const { return quantizer_; }

 private:
  FakeQuantizer quantizer_;
};

}  // namespace jpqd::compression
