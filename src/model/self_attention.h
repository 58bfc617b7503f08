// Multi-head self-attention with its output projection, residual and post-LayerNorm, for every family:
// BERT's BertAttention (self + output), DistilBERT's MultiHeadSelfAttention + sa_layer_norm. A layer may keep
// any number of heads, even none.
#pragma once

#include <torch/torch.h>

#include "model/bert_config.h"
#include "model/hooks.h"

namespace jpqd::model {

struct AttentionParts {
  CompressibleLinear query{nullptr}, key{nullptr}, value{nullptr};
  CompressibleLinear output{nullptr};         // attention.output.dense / attention.out_lin
  torch::nn::LayerNorm layer_norm{nullptr};   // attention.output.LayerNorm / sa_layer_norm
  TensorHookPoint qkv_input{nullptr};         // hidden states entering Q, K and V (shared)
  TensorHookPoint matmul_0_input_0{nullptr};  // query heads entering Q·Kᵀ
  TensorHookPoint matmul_0_input_1{nullptr};  // key heads entering Q·Kᵀ
  int64_t num_heads = 0;
  int64_t head_dim = 0;

  // hidden [B, S, H]; additive_mask [B, 1, 1, S]. Returns LayerNorm(output(attention) + hidden).
  torch::Tensor forward(const BertConfig& config, const torch::Tensor& hidden, const torch::Tensor& additive_mask,
                        bool training);
};

}  // namespace jpqd::model
