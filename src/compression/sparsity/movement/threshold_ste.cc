#include "compression/sparsity/movement/threshold_ste.h"

#include <cmath>

namespace jpqd::compression {

torch::Tensor ThresholdSTE::forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                    double threshold) {
  return x.gt(threshold).to(x.scalar_type());
}

torch::autograd::variable_list ThresholdSTE::backward(torch::autograd::AutogradContext* ctx,
                                                      torch::autograd::variable_list grad_outputs) {
  return {grad_outputs[0], torch::Tensor()};
}

double expanded_quantile(const torch::Tensor& scores, int64_t repeats, double q) {
  torch::NoGradGuard no_grad;
  TORCH_CHECK(scores.numel() > 0 && repeats > 0, "expanded_quantile: empty input");
  const torch::Tensor sorted = std::get<0>(scores.detach().flatten().sort());
  const int64_t last_index = scores.numel() * repeats - 1;
  // torch.quantile computes the rank as a tensor of the input's dtype: q * (n - 1), then lerps between
  // the neighbouring order statistics with weight rank - floor(rank). Same operations here.
  const torch::Tensor rank = torch::scalar_tensor(q, sorted.options()) * last_index;
  const torch::Tensor below = rank.to(torch::kLong);
  const torch::Tensor above = rank.ceil().to(torch::kLong);
  const torch::Tensor weight = rank - below;
  // Element i of the sorted expanded tensor is element i / repeats of the sorted scores.
  const torch::Tensor v_below = sorted.index({below.item<int64_t>() / repeats});
  const torch::Tensor v_above = sorted.index({above.item<int64_t>() / repeats});
  return torch::lerp(v_below, v_above, weight).item<double>();
}

torch::Tensor binary_mask_by_threshold(const torch::Tensor& scores, int64_t repeats, double threshold,
                                       double max_percentile) {
  // With threshold -inf (before warm-up) the minimum is -inf whatever the cap: skip the sort.
  double t = threshold;
  if (!(std::isinf(threshold) && threshold < 0)) t = std::min(threshold, expanded_quantile(scores, repeats, max_percentile));
  return ThresholdSTE::apply(scores, t);
}

}  // namespace jpqd::compression
