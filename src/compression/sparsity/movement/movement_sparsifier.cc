#include "compression/sparsity/movement/movement_sparsifier.h"

#include "compression/sparsity/movement/threshold_ste.h"

namespace jpqd::compression {

MovementSparsifier::MovementSparsifier(int64_t out_features, int64_t in_features, bool has_bias,
                                       SparseStructureMode mode, SparseFactors factors)
    : out_(out_features), in_(in_features), mode_(mode), factors_(factors) {
  TORCH_CHECK(out_ % factors_.rows == 0 && in_ % factors_.cols == 0, "sparse factors [", factors_.rows, ", ",
              factors_.cols, "] do not divide the weight shape [", out_, ", ", in_, "]");
  weight_importance = register_parameter("weight_importance", torch::zeros({out_ / factors_.rows, in_ / factors_.cols}));
  weight_ctx_ = register_module("weight_ctx", BinaryMask(std::vector<int64_t>{out_, in_}));
  if (has_bias) {
    bias_importance = register_parameter("bias_importance", torch::zeros({out_ / factors_.rows}));
    bias_ctx_ = register_module("bias_ctx", BinaryMask(std::vector<int64_t>{out_}));
  }
}

const torch::Tensor& MovementSparsifier::bias_mask() const {
  static const torch::Tensor kNone;
  return bias_ctx_ ? bias_ctx_->get() : kNone;
}

void MovementSparsifier::set_bias_mask(const torch::Tensor& mask) {
  TORCH_CHECK(bias_ctx_, "set_bias_mask on a layer without bias");
  bias_ctx_->set(mask);
}

torch::Tensor MovementSparsifier::expanded_weight_importance() const {
  return expand_blocks(weight_importance, factors_);
}

torch::Tensor MovementSparsifier::expanded_bias_importance() const {
  return has_bias() ? expand_rows(bias_importance, factors_.rows) : torch::Tensor();
}

std::pair<torch::Tensor, torch::Tensor> MovementSparsifier::transform(const torch::Tensor& weight,
                                                                      const torch::Tensor& bias) {
  torch::Tensor weight_mask, bias_mask;
  if (!is_training() || frozen_) {
    weight_mask = weight_ctx_->get();
    if (bias.defined() && bias_ctx_) bias_mask = bias_ctx_->get();
  } else {
    weight_mask = expand_blocks(
        binary_mask_by_threshold(weight_importance, factors_.elements(), threshold_, kMaxPercentile), factors_);
    weight_ctx_->set(weight_mask);
    if (bias.defined() && bias_ctx_) {
      bias_mask = expand_rows(binary_mask_by_threshold(bias_importance, factors_.rows, threshold_, kMaxPercentile),
                              factors_.rows);
      bias_ctx_->set(bias_mask);
    }
  }
  return {weight * weight_mask, bias_mask.defined() ? bias * bias_mask : bias};
}

void MovementSparsifier::freeze() {
  frozen_ = true;
  for (auto* p : {&weight_importance, &bias_importance}) {
    if (!p->defined()) continue;
    p->mutable_grad() = torch::Tensor();
    p->set_requires_grad(false);
  }
}

torch::Tensor MovementSparsifier::raw_loss() const {
  torch::Tensor loss = torch::sigmoid(weight_importance).mean() * static_cast<double>(factors_.elements());
  if (has_bias()) loss = loss + torch::sigmoid(bias_importance).mean() * static_cast<double>(factors_.rows);
  return loss;
}

torch::Tensor MovementSparsifier::loss() const {
  if (frozen_ || lambda_ == 0.0) return torch::zeros({}, weight_importance.options().requires_grad(false));
  // NNCF's order of operations: mean * 0.5 * A (+ mean_b * 0.5 * f0), then * lambda_t.
  torch::Tensor loss =
      torch::sigmoid(weight_importance).mean() * kLayerwiseLossLambda * static_cast<double>(factors_.elements());
  if (has_bias())
    loss = loss + torch::sigmoid(bias_importance).mean() * kLayerwiseLossLambda * static_cast<double>(factors_.rows);
  return loss * lambda_;
}

}  // namespace jpqd::compression
