// Checkpoint directories: everything a run needs to continue exactly, written atomically.
//
//   config.json, model.safetensors, vocab.txt, tokenizer_config.json   HF-loadable model
//   compression_state.safetensors   importance scores, masks, quantizer ranges (non-HF tensors)
//   compression_config.json         the compression config as used
//   optimizer.pt, rng_state.pt      LibTorch archives (AdamW moments; CPU generator state)
//   trainer_state.json              HF's, plus jpqd's resume fields and the compression scheduler state
//   training_args.json
//   manifest.json                   size and checksum of every file above; written last
//
// A checkpoint is built under a temporary name and renamed into place, so a kill at any moment
// leaves either the previous checkpoint set or the new one, never a half-written "checkpoint-N".
#pragma once

#include <torch/torch.h>

#include <optional>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "model/bert.h"
#include "text/tokenizer.h"

namespace jpqd::training {

struct CheckpointContents {
  model::BertImpl* model = nullptr;
  torch::optim::Optimizer* optimizer = nullptr;  // optional
  const text::Tokenizer* tokenizer = nullptr;  // optional
  Json trainer_state;                              // optional (null = not a training checkpoint)
  Json training_args;
  Json compression_config;  // null when none
};

// Writes the model files (HF + compression state) into `dir` atomically; used by save_model().
void save_model_files(const std::string& dir, const CheckpointContents& contents);

// Writes a whole training checkpoint atomically (see above).
void save_checkpoint(const std::string& dir, const CheckpointContents& contents);

// Verifies the manifest; throws FormatError naming the file that is missing or corrupt.
void verify_checkpoint(const std::string& dir);

// Loads compression tensors (by state-dict name) into a model whose hooks are already attached.
void load_compression_state(const std::string& dir, model::BertImpl& model);
void load_optimizer_state(const std::string& dir, torch::optim::Optimizer& optimizer);
void save_rng_state(const std::string& path);
void load_rng_state(const std::string& path);

// checkpoint-<step> directories in `output_dir`, oldest first.
std::vector<std::string> list_checkpoints(const std::string& output_dir);
// The newest checkpoint whose manifest verifies; a corrupt newer one is skipped with a warning.
std::optional<std::string> newest_valid_checkpoint(const std::string& output_dir);
// Deletes the oldest checkpoints beyond `limit` (0 = keep all).
void rotate_checkpoints(const std::string& output_dir, int64_t limit);
// Deletes what a killed run left half-written in `output_dir`: temporary checkpoint directories and
// files (".<name>.tmp<digits>"), which no reader ever picks up but which would otherwise pile up.
void remove_stale_checkpoint_temporaries(const std::string& output_dir);

}  // namespace jpqd::training
