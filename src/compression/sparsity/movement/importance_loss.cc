#include "compression/sparsity/movement/importance_loss.h"

namespace jpqd::compression {

torch::Tensor ImportanceLoss::calculate() const {
  if (layers_.empty() || disabled_) return torch::zeros({});
  torch::Tensor loss = layers_[0]->loss();
  double n = 1;
  for (size_t i = 1; i < layers_.size(); ++i, ++n)
    loss = loss * (n / (n + 1)) + layers_[i]->loss() / (n + 1);  // a running mean cannot overflow
  return loss;
}

}  // namespace jpqd::compression
