// Selects the Linear layers a movement_sparsity config applies to, attaches a "sparsifier" params hook
// to each, derives BERT's structured-masking groups from the graph roles, and returns the controller.
//
// Selection (docs/algorithms.md 1.1): kLinear nodes matching target_scopes (default: all), minus
// ignored_scopes; each takes the sparse structure of the single sparse_structure_by_scopes entry that
// matches it (two matching entries is an error; none = fine). Every scope pattern must match some node
// of the graph.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compression/config/movement_sparsity_config.h"
#include "compression/sparsity/movement/movement_sparsity_controller.h"
#include "model/model_graph.h"

namespace jpqd::compression {

struct MovementBuildOptions {
  int64_t head_dim = 0;          // attention head size (hidden / heads); 0 = no attention groups
  int64_t num_train_epochs = 0;  // 0 = unknown; otherwise warmup_end_epoch must not exceed it
  bool epochs_set_by_max_steps = false;  // then exceeding it is a warning
  std::vector<torch::Tensor> model_parameters;  // the model's own parameters, for model_sparsity
};

std::unique_ptr<MovementSparsityController> build_movement_sparsity(const MovementSparsityConfig& config,
                                                                    const model::ModelGraph& graph,
                                                                    const MovementBuildOptions& options);

}  // namespace jpqd::compression
