#include "model/feed_forward.h"

#include "common/error.h"

namespace jpqd::model {

torch::Tensor apply_activation(const std::string& act, const torch::Tensor& x) {
  if (act == "gelu" || act == "gelu_python") return torch::gelu(x);
  if (act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast") return torch::gelu(x, "tanh");
  if (act == "relu") return torch::relu(x);
  JPQD_CHECK(false, InvalidArgument, "hidden_act \"", act, "\" is not supported");
  return x;
}

BertIntermediateImpl::BertIntermediateImpl(const BertConfig& c, int64_t width) : act_(c.hidden_act) {
  dense = register_module("dense", CompressibleLinear(c.hidden_size, width));
}

torch::Tensor BertIntermediateImpl::forward(const torch::Tensor& hidden) {
  return apply_activation(act_, dense->forward(hidden));
}

BertOutputImpl::BertOutputImpl(const BertConfig& c, int64_t width) : dropout_(c.hidden_dropout_prob) {
  dense = register_module("dense", CompressibleLinear(width, c.hidden_size));
  layer_norm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
}

torch::Tensor BertOutputImpl::forward(const torch::Tensor& intermediate, const torch::Tensor& residual) {
  torch::Tensor x = torch::dropout(dense->forward(intermediate), dropout_, is_training());
  return layer_norm->forward(x + residual);
}

}  // namespace jpqd::model
