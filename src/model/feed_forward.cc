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

torch::Tensor FeedForwardParts::forward(const BertConfig& c, const torch::Tensor& hidden, bool training) {
  torch::Tensor x = output->forward(apply_activation(c.hidden_act, intermediate->forward(hidden)));
  x = torch::dropout(x, c.hidden_dropout_prob, training);
  return layer_norm->forward(x + hidden);
}

}  // namespace jpqd::model
