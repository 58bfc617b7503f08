// The feed-forward block of every family (BERT's intermediate + output, DistilBERT's ffn.lin1/lin2 +
// output_layer_norm): Linear, activation, Linear, dropout, residual, post-LayerNorm.
#pragma once

#include <torch/torch.h>

#include <string>

#include "model/bert_config.h"
#include "model/hooks.h"

namespace jpqd::model {

// hidden_act as HF's ACT2FN: gelu / gelu_python = exact (erf); gelu_new / gelu_pytorch_tanh / gelu_fast =
// tanh approximation (the same function written three ways); relu.
torch::Tensor apply_activation(const std::string& hidden_act, const torch::Tensor& x);

struct FeedForwardParts {
  CompressibleLinear intermediate{nullptr};  // FFN neurons are its rows
  CompressibleLinear output{nullptr};        // ... and this one's columns
  torch::nn::LayerNorm layer_norm{nullptr};

  torch::Tensor forward(const BertConfig& config, const torch::Tensor& hidden, bool training);
};

}  // namespace jpqd::model
