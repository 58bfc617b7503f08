// Tokenized examples and their batching into tensors, with dynamic padding (to the longest example of
// the batch) or padding to max_length (run_glue's --pad_to_max_length).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "data/feature.h"
#include "model/bert.h"

namespace jpqd::training {

struct Batch {
  model::BertInputs inputs;
  model::BertLabels labels;
  // The same rows in a distillation teacher's own token ids, padded with its pad id; nullopt when the
  // teacher reads `inputs` (the same tokenizer as the student).
  std::optional<model::BertInputs> teacher_inputs;
  int64_t size = 0;
};

// One tokenized example and whatever target its task has.
using Row = data::Feature;

enum class TargetKind { kNone, kClassLabel, kRegression, kMultiLabel, kSpan, kMaskedLm };

// Rewrites a batch after padding (masked-LM masking); `seed` is derived from (run seed, epoch,
// batch index) by the caller, so a batch is masked the same way in a resumed run.
using BatchTransform = std::function<void(Batch& batch, uint64_t seed)>;

class TokenizedDataset {
 public:
  // teacher_pad_id: set when every row carries teacher_input_ids (a teacher with its own tokenizer);
  // rows and batches then carry both tokenizations of the same text.
  TokenizedDataset(std::vector<Row> rows, TargetKind target, int64_t pad_to_length, int64_t pad_id,
                   std::optional<int64_t> teacher_pad_id = std::nullopt);

  int64_t size() const { return static_cast<int64_t>(rows_.size()); }
  const Row& row(int64_t i) const { return rows_.at(static_cast<size_t>(i)); }
  TargetKind target() const { return target_; }
  bool has_teacher_inputs() const { return teacher_pad_id_.has_value(); }
  Batch batch(const std::vector<int64_t>& indices, uint64_t seed = 0) const;
  void set_batch_transform(BatchTransform transform) { transform_ = std::move(transform); }
  int64_t total_tokens(const std::vector<int64_t>& indices) const;
  // A checksum of every row's tokens and targets: data-parallel ranks compare it at start-up.
  uint64_t fingerprint() const;

 private:
  std::vector<Row> rows_;
  TargetKind target_;
  int64_t pad_to_length_;  // 0 = dynamic padding
  int64_t pad_id_;
  std::optional<int64_t> teacher_pad_id_;
  BatchTransform transform_;
};

// The batch's tensors on `device` (the same tensors when they are already there).
Batch to_device(Batch batch, const torch::Device& device);

// Index order of one epoch: a permutation drawn from (seed, epoch) alone, so a resumed run sees the
// same order as an uninterrupted one without replaying earlier epochs.
std::vector<int64_t> epoch_permutation(int64_t size, int64_t seed, int64_t epoch);
std::vector<int64_t> sequential_indices(int64_t begin, int64_t end);

}  // namespace jpqd::training
