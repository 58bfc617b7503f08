// Movement masks set directly from the heads and FFN neurons to keep, exactly as structured masking
// leaves them (docs/algorithms.md 2, step 3): query/key/value rows and biases and attention-output columns of
// the kept heads, intermediate rows and biases and output columns of the kept neurons; the attention-output
// and output biases stay. For pruning a model by hand and for tests and benchmarks of pruned models.
#pragma once

#include <vector>

#include "compression/sparsity/movement/movement_sparsifier.h"
#include "model/model_graph.h"

namespace jpqd::compression {

// The movement sparsifier attached to a Linear, or null.
MovementSparsifier* find_movement_sparsifier(const model::CompressibleLinearImpl& linear);

// heads[l] / neurons[l]: indices kept in encoder layer l. Layers whose Linears have no sparsifier are left alone.
void set_kept_units(const model::ModelGraph& graph, int64_t head_dim, const std::vector<std::vector<int64_t>>& heads,
                    const std::vector<std::vector<int64_t>>& neurons);

}  // namespace jpqd::compression
