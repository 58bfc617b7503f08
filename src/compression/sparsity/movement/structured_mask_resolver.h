// Structured masking (docs/algorithms.md 2): turns the unstructured masks of BERT's attention and FFN blocks
// into whole kept/pruned heads and neurons, once, at the end of warm-up.
//
// Groups per encoder layer:
//   MHSA: Q, K, V pruned by row with grid (head_dim, in); attention-output pruned by column with grid
//         (out, head_dim)  -> one entry per head
//   FF:   intermediate pruned by row with grid (1, in); output pruned by column with grid (out, 1)
//         -> one entry per neuron
// Steps: (1) an independent mask per layer: a grid cell is alive if any element of it (or, for row
// pruning, of its bias rows) survived; (2) keep = OR of the row layers' masks and the transposed column
// layers' masks; (3) every member's masks are reset to ones and multiplied by the inflated keep mask
// (rows kept for the bias of row layers; a column layer's bias stays unless everything is pruned).
// Parameter values are never touched.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "compression/sparsity/movement/movement_sparsifier.h"

namespace jpqd::compression {

struct StructuredMember {
  std::string name;   // Hugging Face module name
  std::string scope;  // NNCF-style node name
  MovementSparsifier* sparsifier = nullptr;
  bool prune_by_row = true;
  int64_t grid_rows = 1, grid_cols = 1;  // resolved, never -1
};

struct StructuredGroup {
  int64_t id = 0;
  std::string type;  // "MHSA" or "FF", as NNCF's BuildingBlockType
  int layer_index = -1;
  int64_t block = 1;  // head_dim for MHSA, 1 for FF
  std::vector<StructuredMember> members;
};

class StructuredMaskResolver {
 public:
  explicit StructuredMaskResolver(std::vector<StructuredGroup> groups) : groups_(std::move(groups)) {}

  // Steps 1-3 on every group, in place on the sparsifiers' masks.
  void apply();

  const std::vector<StructuredGroup>& groups() const { return groups_; }

  // Step 1 for one layer: [out/grid_rows, in/grid_cols] (float 0/1). bias_mask may be undefined.
  static torch::Tensor independent_mask(const torch::Tensor& weight_mask, const torch::Tensor& bias_mask,
                                        int64_t grid_rows, int64_t grid_cols);
  // Step 2: OR of the row layers' masks [n, 1] and the transposed column layers' masks [1, n] -> [n, 1].
  static torch::Tensor dependent_mask(const std::vector<torch::Tensor>& row_masks,
                                      const std::vector<torch::Tensor>& column_masks);
  // Step 3 for one layer: the weight mask (keep inflated by the grid) and the bias mask (its row maxima).
  static std::pair<torch::Tensor, torch::Tensor> inflate(const torch::Tensor& keep, int64_t grid_rows,
                                                          int64_t grid_cols);

 private:
  std::vector<StructuredGroup> groups_;
};

}  // namespace jpqd::compression
