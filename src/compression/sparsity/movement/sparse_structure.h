// Sparse structure of one Linear layer (docs/algorithms.md 1.2): which weight elements share one importance
// score. A score covers a block of f0 rows by f1 columns; the bias score follows the row factor f0.
//   fine          (1, 1)
//   block [r, c]  (r, c)
//   per_dim axis 0 (1, in): one score per output row
//   per_dim axis 1 (out, 1): one score per input column
#pragma once

#include <torch/torch.h>

#include <string>

#include "compression/config/movement_sparsity_config.h"

namespace jpqd::compression {

struct SparseFactors {
  int64_t rows = 1;  // f0
  int64_t cols = 1;  // f1
  int64_t elements() const { return rows * cols; }
};

// Factors of `entry` for a weight of shape [out, in]. Throws InvalidArgument naming `layer`, the shape
// and the factors when a block does not tile the weight.
SparseFactors sparse_factors_for(const SparseStructureEntry& entry, int64_t out, int64_t in,
                                 const std::string& layer);

std::string sparse_mode_name(SparseStructureMode mode);  // "fine", "block", "per_dim"

// Repeats every element of a [R, C] tensor into an f0 x f1 block, giving [R*f0, C*f1] (repeat_interleave
// on both dims). Differentiable: the gradient of a block is the sum over the block.
torch::Tensor expand_blocks(const torch::Tensor& scores, const SparseFactors& factors);
// Same for a bias score [R] -> [R*f0].
torch::Tensor expand_rows(const torch::Tensor& scores, int64_t f0);

}  // namespace jpqd::compression
