// Calibration: forward passes over chosen samples in eval mode without gradients, for what collects
// statistics from them: quantizer range initialisation (docs/algorithms.md 3.3), before QAT's first step or
// as post-training quantization (`jpqd quantize`), and SmoothQuant's activation statistics.
#pragma once

#include <functional>
#include <vector>

#include "compression/api/collectives.h"
#include "compression/api/controller.h"
#include "model/bert.h"
#include "training/dataset.h"

namespace jpqd::training {

// Batch b of a calibration pass, b in [0, batches).
using CalibrationBatch = std::function<Batch(int64_t b)>;

// The first `samples` indices of the permutation the Trainer's first epoch uses for `seed` (one process):
// post-training quantization with --seed S calibrates on the samples QAT's range initialisation sees with
// --seed S. Fewer when the dataset is smaller.
std::vector<int64_t> calibration_indices(int64_t dataset_size, int64_t samples, int64_t seed);

int64_t calibration_batch_count(int64_t samples, int64_t batch_size);

// Consecutive batches of `batch_size` taken from `indices` in order, the last one shorter: exactly those
// samples, each once. `data` must outlive the returned function.
CalibrationBatch calibration_batches(const TokenizedDataset& data, std::vector<int64_t> indices, int64_t batch_size);

// Runs batches 0..batches-1 through the model in eval mode under NoGradGuard, then restores its
// training flag. Returns how many samples were forwarded.
int64_t forward_for_statistics(model::BertImpl& model, int64_t batches, const CalibrationBatch& batch_at,
                               const torch::Device& device);

// Range initialisation as NNCF runs it: begin_initialization(), the forward passes (the controller bypasses the
// quantizers meanwhile, so the statistics are the floating-point model's), end_initialization(ranks).
// In data-parallel training each rank forwards its share and `ranks` combines the statistics (null: one
// process). Returns how many samples this process forwarded.
int64_t initialize_ranges(compression::Controller& controller, model::BertImpl& model, int64_t batches,
                          const CalibrationBatch& batch_at, const torch::Device& device,
                          compression::Collectives* ranks = nullptr);

}  // namespace jpqd::training
