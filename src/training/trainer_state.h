// trainer_state.json as Hugging Face writes it, plus what jpqd needs to resume exactly (compression
// scheduler state, micro-batches already consumed in the current epoch).
#pragma once

#include <string>

#include "common/json_util.h"

namespace jpqd::training {

struct TrainerState {
  int64_t global_step = 0;      // optimizer steps taken
  double epoch = 0.0;           // fractional epoch, as HF logs it
  int64_t epoch_index = 0;      // epoch in progress
  int64_t batches_in_epoch = 0; // micro-batches of epoch_index already consumed
  int64_t max_steps = 0;
  int64_t num_train_epochs = 0;
  int64_t logging_steps = 0;
  int64_t eval_steps = 0;
  int64_t save_steps = 0;
  int64_t train_batch_size = 0;
  double total_tokens = 0;      // tokens seen by training, for tokens/s reporting
  // Loss sums as of this state, so a resumed run reports the same train_loss and log entries as an
  // uninterrupted one (HF restarts them at zero on resume).
  double total_loss = 0;
  double loss_since_log = 0;
  int64_t steps_since_log = 0;
  int64_t skipped_steps = 0;    // optimizer steps skipped for a NaN/Inf loss or gradient (--skip_nonfinite_steps)
  Json log_history = Json::array();
  Json compression_state = Json::object();
  std::string best_model_checkpoint;

  Json to_json() const;
  static TrainerState from_json(const Json& j, const std::string& where);
};

}  // namespace jpqd::training
