#include "model/heads.h"

#include "model/feed_forward.h"

namespace jpqd::model {

BertPoolerImpl::BertPoolerImpl(const BertConfig& c) {
  dense = register_module("dense", CompressibleLinear(c.hidden_size, c.hidden_size));
}

torch::Tensor BertPoolerImpl::forward(const torch::Tensor& hidden) {
  return torch::tanh(dense->forward(hidden.select(1, 0)));
}

BertPredictionHeadTransformImpl::BertPredictionHeadTransformImpl(const BertConfig& c) : act_(c.hidden_act) {
  dense = register_module("dense", CompressibleLinear(c.hidden_size, c.hidden_size));
  layer_norm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
}

torch::Tensor BertPredictionHeadTransformImpl::forward(const torch::Tensor& hidden) {
  // Under bfloat16 autocast the dense output is bfloat16, and LibTorch 1.13's CPU layer norm rejects an
  // input whose type differs from its float32 weight (the encoder's norms see float32 residual sums).
  return layer_norm->forward(apply_activation(act_, dense->forward(hidden)).to(layer_norm->weight.scalar_type()));
}

BertLmPredictionHeadImpl::BertLmPredictionHeadImpl(const BertConfig& c) {
  // Registered before "transform" so the state-dict order is HF's.
  bias = register_parameter("bias", torch::zeros({c.vocab_size}));
  transform = register_module("transform", BertPredictionHeadTransform(c));
}

torch::Tensor BertLmPredictionHeadImpl::forward(const torch::Tensor& hidden, const torch::Tensor& word_embeddings) {
  return torch::nn::functional::linear(transform->forward(hidden), word_embeddings, bias);
}

}  // namespace jpqd::model
