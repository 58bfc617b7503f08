// The movement-sparsity operand of one Linear (NNCF's MovementSparsifier), attached to a
// CompressibleLinear as its "sparsifier" params hook (priority 3: before the weight quantizer).
//
// Parameters: weight_importance [out/f0, in/f1] and bias_importance [out/f0], both zero-initialised
// (sigma = 0.5). Buffers: weight_ctx._binary_mask [out, in] and bias_ctx._binary_mask [out], ones.
//
// forward in training mode, not frozen (docs/algorithms.md 1.3):
//   E = expand(S);  t = min(tau, quantile(E, 0.98));  M = 1[E > t] (straight-through);  W' = M*W, b' = Mb*b
// and the masks are stored in the buffers. In eval mode or once frozen the stored masks are used.
#pragma once

#include <torch/torch.h>

#include <limits>
#include <utility>

#include "compression/config/movement_sparsity_config.h"
#include "compression/sparsity/movement/binary_mask.h"
#include "compression/sparsity/movement/sparse_structure.h"
#include "model/hooks.h"

namespace jpqd::compression {

class MovementSparsifier : public model::ParamsHook {
 public:
  MovementSparsifier(int64_t out_features, int64_t in_features, bool has_bias, SparseStructureMode mode,
                     SparseFactors factors);

  std::pair<torch::Tensor, torch::Tensor> transform(const torch::Tensor& weight, const torch::Tensor& bias) override;

  torch::Tensor weight_importance;  // parameter
  torch::Tensor bias_importance;    // parameter; undefined when the layer has no bias

  const torch::Tensor& weight_mask() const { return weight_ctx_->get(); }
  const torch::Tensor& bias_mask() const;  // undefined tensor when the layer has no bias
  void set_weight_mask(const torch::Tensor& mask) { weight_ctx_->set(mask); }
  void set_bias_mask(const torch::Tensor& mask);

  // Scores repeated to the weight / bias shape (what the threshold is compared with).
  torch::Tensor expanded_weight_importance() const;
  torch::Tensor expanded_bias_importance() const;

  double importance_threshold() const { return threshold_; }
  void set_importance_threshold(double tau) { threshold_ = tau; }
  double importance_regularization_factor() const { return lambda_; }
  void set_importance_regularization_factor(double lambda) { lambda_ = lambda; }

  bool frozen() const { return frozen_; }
  // Fixes the masks: scores stop requiring gradients (their grads are dropped so Adam cannot move
  // them any more), the stored masks are used from now on and the layer loss is 0.
  void freeze();

  // mean(sigma(S_w))*f0*f1 + mean(sigma(S_b))*f0 (docs/algorithms.md 1.5, before lambda_t and the 0.5).
  torch::Tensor raw_loss() const;
  // lambda_t * 0.5 * raw_loss; 0 when frozen or lambda_t == 0.
  torch::Tensor loss() const;

  SparseStructureMode mode() const { return mode_; }
  const SparseFactors& factors() const { return factors_; }
  bool has_bias() const { return bias_importance.defined(); }
  int64_t out_features() const { return out_; }
  int64_t in_features() const { return in_; }

  static constexpr double kLayerwiseLossLambda = 0.5;
  static constexpr double kMaxPercentile = 0.98;

 private:
  int64_t out_, in_;
  SparseStructureMode mode_;
  SparseFactors factors_;
  BinaryMask weight_ctx_{nullptr};
  BinaryMask bias_ctx_{nullptr};
  double threshold_ = -std::numeric_limits<double>::infinity();
  double lambda_ = 0.0;
  bool frozen_ = false;
};

}  // namespace jpqd::compression
