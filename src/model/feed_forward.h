// BertIntermediate (dense + hidden_act) and BertOutput (dense, dropout, residual, post-LayerNorm).
#pragma once

#include <torch/torch.h>

#include <string>

#include "model/bert_config.h"
#include "model/hooks.h"

namespace jpqd::model {

// hidden_act as HF's ACT2FN: gelu / gelu_python = exact (erf); gelu_new / gelu_pytorch_tanh / gelu_fast =
// tanh approximation (the same function written three ways); relu.
torch::Tensor apply_activation(const std::string& hidden_act, const torch::Tensor& x);

class BertIntermediateImpl : public torch::nn::Module {
 public:
  BertIntermediateImpl(const BertConfig& config, int64_t width);
  torch::Tensor forward(const torch::Tensor& hidden);

  CompressibleLinear dense{nullptr};

 private:
  std::string act_;
};
TORCH_MODULE(BertIntermediate);

class BertOutputImpl : public torch::nn::Module {
 public:
  BertOutputImpl(const BertConfig& config, int64_t width);
  torch::Tensor forward(const torch::Tensor& intermediate, const torch::Tensor& residual);

  CompressibleLinear dense{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};

 private:
  double dropout_;
};
TORCH_MODULE(BertOutput);

}  // namespace jpqd::model
