// Which attention heads and FFN neurons of each encoder layer survive movement sparsity, read from the
// binary masks the sparsifiers hold, and the model's tensors with those masks folded in.
//
// A head is kept when any element of its query/key/value rows (weights or biases) or of its
// attention-output columns is unmasked; a neuron when its intermediate row (or bias) or its output column
// is. After structured masking (docs/algorithms.md 2) the masks are whole heads and neurons, so removing the
// rest is exact: a removed head's context is zero and its output columns are zero.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "model/bert.h"

namespace jpqd::exporter {

struct LayerPlan {
  std::vector<int64_t> kept_heads;    // ascending head indices
  std::vector<int64_t> kept_neurons;  // ascending FFN neuron indices
};

struct PruningPlan {
  // False when the run never reached structured masking: nothing is removed (masks are still folded).
  bool structured = false;
  std::string model_type = "bert";  // the family whose tensor names the plan slices
  int64_t head_dim = 0;
  std::vector<int64_t> heads_before;         // per layer
  std::vector<int64_t> intermediate_before;  // per layer
  std::vector<LayerPlan> layers;

  std::vector<int64_t> heads_per_layer() const;
  std::vector<int64_t> intermediate_per_layer() const;
  Json to_json() const;  // {"structured", "layers": [{"heads_kept": [...], "num_neurons_kept": n}, ...]}
};

// `structured`: whether the masks were resolved to heads and neurons (the movement controller's
// structured_masking_done(), saved in the checkpoint's compression state).
PruningPlan make_pruning_plan(model::BertImpl& model, bool structured);

// The model's own tensors by Hugging Face name (what model.safetensors holds), with every movement mask
// multiplied into its weight and bias. Other hooks (quantizers) are not applied.
std::map<std::string, torch::Tensor> masked_state_dict(model::BertImpl& model);

}  // namespace jpqd::exporter
