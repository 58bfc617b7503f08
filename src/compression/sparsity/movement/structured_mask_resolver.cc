#include "compression/sparsity/movement/structured_mask_resolver.h"

namespace jpqd::compression {

torch::Tensor StructuredMaskResolver::independent_mask(const torch::Tensor& weight_mask, const torch::Tensor& bias_mask,
                                                       int64_t grid_rows, int64_t grid_cols) {
  torch::NoGradGuard no_grad;
  const int64_t out = weight_mask.size(0), in = weight_mask.size(1);
  TORCH_CHECK(out % grid_rows == 0 && in % grid_cols == 0, "structured mask: grid [", grid_rows, ", ", grid_cols,
              "] does not tile a mask of shape [", out, ", ", in, "]");
  const int64_t r = out / grid_rows, c = in / grid_cols;
  // max_pool2d with kernel = stride = grid.
  const torch::Tensor by_grid = weight_mask.reshape({r, grid_rows, c, grid_cols}).amax({1, 3});
  torch::Tensor rows = by_grid.amax(1);
  const torch::Tensor cols = by_grid.amax(0);
  if (bias_mask.defined()) rows = torch::maximum(rows, bias_mask.reshape({r, grid_rows}).amax(1));
  return rows.unsqueeze(1) * cols.unsqueeze(0);
}

torch::Tensor StructuredMaskResolver::dependent_mask(const std::vector<torch::Tensor>& row_masks,
                                                     const std::vector<torch::Tensor>& column_masks) {
  torch::NoGradGuard no_grad;
  torch::Tensor keep;
  auto merge = [&](const torch::Tensor& m) { keep = keep.defined() ? torch::logical_or(keep, m) : m.to(torch::kBool); };
  for (const auto& m : row_masks) merge(m);
  for (const auto& m : column_masks) merge(m.t());
  TORCH_CHECK(keep.defined(), "structured mask: empty group");
  return keep.to(torch::kFloat);
}

std::pair<torch::Tensor, torch::Tensor> StructuredMaskResolver::inflate(const torch::Tensor& keep, int64_t grid_rows,
                                                                        int64_t grid_cols) {
  torch::NoGradGuard no_grad;
  const torch::Tensor weight = keep.repeat_interleave(grid_rows, 0).repeat_interleave(grid_cols, 1);
  return {weight, weight.amax(1)};
}

void StructuredMaskResolver::apply() {
  torch::NoGradGuard no_grad;
  for (auto& group : groups_) {
    std::vector<torch::Tensor> rows, cols;
    for (const auto& m : group.members) {
      auto* s = m.sparsifier;
      torch::Tensor independent = independent_mask(s->weight_mask(), s->bias_mask(), m.grid_rows, m.grid_cols);
      (m.prune_by_row ? rows : cols).push_back(independent);
    }
    const torch::Tensor keep = dependent_mask(rows, cols);
    for (const auto& m : group.members) {
      auto [weight_mask, bias_mask] = inflate(m.prune_by_row ? keep : keep.t(), m.grid_rows, m.grid_cols);
      auto* s = m.sparsifier;
      s->set_weight_mask(weight_mask.to(s->weight_mask().scalar_type()));
      if (s->has_bias()) s->set_bias_mask(bias_mask.to(s->bias_mask().scalar_type()));
    }
  }
}

}  // namespace jpqd::compression
