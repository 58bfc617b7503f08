// BertAttention = BertSelfAttention (Q, K, V, scaled dot product with an additive mask) + BertSelfOutput
// (dense, dropout, residual, post-LayerNorm). A layer may keep any number of heads, even none.
#pragma once

#include <torch/torch.h>

#include "model/bert_config.h"
#include "model/hooks.h"

namespace jpqd::model {

class BertSelfAttentionImpl : public torch::nn::Module {
 public:
  BertSelfAttentionImpl(const BertConfig& config, int64_t num_heads);
  // hidden [B, S, H]; additive_mask [B, 1, 1, S]. Returns the context [B, S, heads * head_dim].
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask);

  CompressibleLinear query{nullptr}, key{nullptr}, value{nullptr};
  TensorHookPoint qkv_input{nullptr};         // hidden states entering Q, K and V (shared)
  TensorHookPoint matmul_0_input_0{nullptr};  // query heads entering Q·Kᵀ
  TensorHookPoint matmul_0_input_1{nullptr};  // key heads entering Q·Kᵀ
  int64_t num_heads;
  int64_t head_dim;

 private:
  double dropout_;
};
TORCH_MODULE(BertSelfAttention);

class BertSelfOutputImpl : public torch::nn::Module {
 public:
  BertSelfOutputImpl(const BertConfig& config, int64_t inner);
  torch::Tensor forward(const torch::Tensor& context, const torch::Tensor& residual);

  CompressibleLinear dense{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};

 private:
  double dropout_;
};
TORCH_MODULE(BertSelfOutput);

class BertAttentionImpl : public torch::nn::Module {
 public:
  BertAttentionImpl(const BertConfig& config, int64_t num_heads);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask);

  BertSelfAttention self_attention{nullptr};  // registered as "self"
  BertSelfOutput output{nullptr};
};
TORCH_MODULE(BertAttention);

}  // namespace jpqd::model
