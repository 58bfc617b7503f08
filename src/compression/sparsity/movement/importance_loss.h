// Movement sparsity's regularisation loss (docs/algorithms.md 1.5): the mean over layers of each layer's
// lambda_t * 0.5 * [mean(sigma(S_w))*A + mean(sigma(S_b))*f0], accumulated as a running mean
// (loss*n/(n+1) + L/(n+1)) in layer order like NNCF, and 0 once disabled (after freezing).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "compression/sparsity/movement/movement_sparsifier.h"

namespace jpqd::compression {

class ImportanceLoss {
 public:
  explicit ImportanceLoss(std::vector<std::shared_ptr<MovementSparsifier>> layers) : layers_(std::move(layers)) {}

  torch::Tensor calculate() const;
  void disable() { disabled_ = true; }
  void enable() { disabled_ = false; }
  bool disabled() const { return disabled_; }

 private:
  std::vector<std::shared_ptr<MovementSparsifier>> layers_;
  bool disabled_ = false;
};

}  // namespace jpqd::compression
