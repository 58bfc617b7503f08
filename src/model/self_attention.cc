#include "model/self_attention.h"

#include <cmath>

namespace jpqd::model {

BertSelfAttentionImpl::BertSelfAttentionImpl(const BertConfig& c, int64_t heads)
    : num_heads(heads), head_dim(c.head_dim()), dropout_(c.attention_probs_dropout_prob) {
  const int64_t inner = heads * head_dim;
  query = register_module("query", CompressibleLinear(c.hidden_size, inner));
  key = register_module("key", CompressibleLinear(c.hidden_size, inner));
  value = register_module("value", CompressibleLinear(c.hidden_size, inner));
  qkv_input = register_module("qkv_input", TensorHookPoint());
  matmul_0_input_0 = register_module("matmul_0_input_0", TensorHookPoint());
  matmul_0_input_1 = register_module("matmul_0_input_1", TensorHookPoint());
}

torch::Tensor BertSelfAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask) {
  const int64_t batch = hidden.size(0), seq = hidden.size(1);
  auto split_heads = [&](const torch::Tensor& x) {  // [B, S, h*d] -> [B, h, S, d]
    return x.view({batch, seq, num_heads, head_dim}).permute({0, 2, 1, 3});
  };
  torch::Tensor x = qkv_input->forward(hidden);
  torch::Tensor q = matmul_0_input_0->forward(split_heads(query->forward(x)));
  torch::Tensor k = matmul_0_input_1->forward(split_heads(key->forward(x)));
  torch::Tensor v = split_heads(value->forward(x));
  torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(head_dim));
  scores = scores + additive_mask;
  torch::Tensor probs = torch::dropout(torch::softmax(scores, -1), dropout_, is_training());
  torch::Tensor context = torch::matmul(probs, v).permute({0, 2, 1, 3}).contiguous();
  return context.view({batch, seq, num_heads * head_dim});
}

BertSelfOutputImpl::BertSelfOutputImpl(const BertConfig& c, int64_t inner) : dropout_(c.hidden_dropout_prob) {
  dense = register_module("dense", CompressibleLinear(inner, c.hidden_size));
  layer_norm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
}

torch::Tensor BertSelfOutputImpl::forward(const torch::Tensor& context, const torch::Tensor& residual) {
  // With no heads left the context is empty and dense() reduces to its bias.
  torch::Tensor x = torch::dropout(dense->forward(context), dropout_, is_training());
  return layer_norm->forward(x + residual);
}

BertAttentionImpl::BertAttentionImpl(const BertConfig& c, int64_t heads) {
  self_attention = register_module("self", BertSelfAttention(c, heads));
  output = register_module("output", BertSelfOutput(c, heads * c.head_dim()));
}

torch::Tensor BertAttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask) {
  return output->forward(self_attention->forward(hidden, additive_mask), hidden);
}

}  // namespace jpqd::model
