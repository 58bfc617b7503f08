// Sparsity statistics (docs/algorithms.md 1.6), counted on the masked parameters M*W and Mb*b.
//   model_sparsity         zeros / every parameter of the model itself (compression parameters excluded)
//   linear_layer_sparsity  zeros / parameters (weights and biases) of the sparsified layers
// plus a per-layer table: name, shapes, sparsity level and the layer's share of the sparsified parameters.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "common/json_util.h"
#include "compression/sparsity/movement/movement_sparsifier.h"

namespace jpqd::compression {

struct SparsifiedParams {
  std::string name;
  torch::Tensor weight;
  torch::Tensor bias;  // may be undefined
  const MovementSparsifier* sparsifier = nullptr;
};

struct SparsityStatistics {
  double model_sparsity = 0.0;
  double linear_layer_sparsity = 0.0;
  Json layers = Json::array();  // [{name, weight_shape, bias_shape, sparsity_level, weight_sparsity, bias_sparsity, percentage}]
};

// `model_parameters`: the model's own parameters; those that are sparsified weights or biases are
// counted through their masks. Empty = count the sparsified layers only.
SparsityStatistics collect_sparsity_statistics(const std::vector<SparsifiedParams>& layers,
                                               const std::vector<torch::Tensor>& model_parameters);

}  // namespace jpqd::compression
