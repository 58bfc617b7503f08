// Physical removal of pruned heads and FFN neurons: the config gets per-layer head counts and FFN widths,
// and the tensors lose the rows and columns that belonged to what was removed.
//   query/key/value weight rows and biases      per kept head (head_dim rows each)
//   attention.output.dense weight columns        per kept head
//   intermediate.dense weight rows and bias      per kept neuron
//   output.dense weight columns                  per kept neuron
// Everything else is copied unchanged. The same slicing applies to INT8 weights and their per-row scales,
// so quantizing first and slicing afterwards gives the same integers as the training run computed.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

#include "export/pruning_plan.h"
#include "model/bert_config.h"

namespace jpqd::exporter {

struct PrunedState {
  model::BertConfig config;
  std::map<std::string, torch::Tensor> tensors;  // Hugging Face names
};

PrunedState prune_physically(const model::BertConfig& config, const std::map<std::string, torch::Tensor>& tensors,
                             const PruningPlan& plan);

// How one Hugging Face tensor is sliced by the plan: which dimension and which indices (empty = kept whole).
struct TensorSlice {
  int64_t dim = -1;
  std::vector<int64_t> rows_or_columns;
};
TensorSlice slice_for(const std::string& hf_name, const PruningPlan& plan);
torch::Tensor apply_slice(const torch::Tensor& tensor, const TensorSlice& slice);

}  // namespace jpqd::exporter
