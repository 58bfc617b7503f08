#include "compression/sparsity/movement/sparse_structure.h"

#include "common/error.h"

namespace jpqd::compression {

SparseFactors sparse_factors_for(const SparseStructureEntry& entry, int64_t out, int64_t in,
                                 const std::string& layer) {
  SparseFactors f;
  switch (entry.mode) {
    case SparseStructureMode::kFine:
      break;
    case SparseStructureMode::kBlock:
      f.rows = entry.block_rows;
      f.cols = entry.block_cols;
      JPQD_CHECK(f.rows > 0 && f.cols > 0 && out % f.rows == 0 && in % f.cols == 0, InvalidArgument,
                 "movement_sparsity: layer ", layer, " with weight shape [", out, ", ", in,
                 "] cannot be split into blocks of sparse_factors [", f.rows, ", ", f.cols,
                 "] (the factors must divide the weight dimensions)");
      break;
    case SparseStructureMode::kPerDim:
      JPQD_CHECK(entry.axis == 0 || entry.axis == 1, InvalidArgument, "movement_sparsity: layer ", layer,
                 ": per_dim axis must be 0 or 1, got ", entry.axis);
      if (entry.axis == 0) f.cols = in;
      else f.rows = out;
      break;
  }
  return f;
}

std::string sparse_mode_name(SparseStructureMode mode) {
  switch (mode) {
    case SparseStructureMode::kFine: return "fine";
    case SparseStructureMode::kBlock: return "block";
    case SparseStructureMode::kPerDim: return "per_dim";
  }
  return "unknown";
}

torch::Tensor expand_blocks(const torch::Tensor& scores, const SparseFactors& f) {
  if (f.rows == 1 && f.cols == 1) return scores;
  const int64_t r = scores.size(0), c = scores.size(1);
  // A broadcast view then one copy: cheaper than two repeat_interleave calls, same values and gradient.
  return scores.view({r, 1, c, 1}).expand({r, f.rows, c, f.cols}).reshape({r * f.rows, c * f.cols});
}

torch::Tensor expand_rows(const torch::Tensor& scores, int64_t f0) {
  if (f0 == 1) return scores;
  const int64_t r = scores.size(0);
  return scores.view({r, 1}).expand({r, f0}).reshape({r * f0});
}

}  // namespace jpqd::compression
