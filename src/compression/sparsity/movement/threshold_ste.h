// Binary mask from importance scores with a straight-through gradient (docs/algorithms.md 1.3).
#pragma once

#include <torch/torch.h>

namespace jpqd::compression {

// forward: 1[x > threshold] in x's dtype; backward: the gradient passes through unchanged (dM/dx := 1),
// so scores keep learning from masked and unmasked elements alike.
class ThresholdSTE : public torch::autograd::Function<ThresholdSTE> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double threshold);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs);
};

// torch.quantile(expand(scores), q) (linear interpolation) computed from the unexpanded scores, where
// every score stands for `repeats` equal elements of the expanded tensor. Exact, including torch's
// float32 rank arithmetic, and it never materialises or sorts the expanded tensor (a BERT
// intermediate layer would be 2.4M elements per forward; torch.quantile also refuses > 16M).
double expanded_quantile(const torch::Tensor& scores, int64_t repeats, double q);

// The per-score mask of NNCF's binary_mask_by_threshold, before expansion:
//   t = min(threshold, quantile(expand(scores), max_percentile)),  M = STE(scores > t).
// Thresholding before expanding is identical to expanding first (elementwise on equal values).
torch::Tensor binary_mask_by_threshold(const torch::Tensor& scores, int64_t repeats, double threshold,
                                       double max_percentile = 0.98);

}  // namespace jpqd::compression
