#include "training/trainer_state.h"

#include "common/error.h"

namespace jpqd::training {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainerState, global_step, epoch, epoch_index, batches_in_epoch,
                                                max_steps, num_train_epochs, logging_steps, eval_steps, save_steps,
                                                train_batch_size, total_tokens, total_loss, loss_since_log,
                                                steps_since_log, skipped_steps, log_history, compression_state,
                                                best_model_checkpoint)

Json TrainerState::to_json() const { return Json(*this); }

TrainerState TrainerState::from_json(const Json& j, const std::string& where) {
  try {
    return j.get<TrainerState>();
  } catch (const Json::exception& e) {
    throw FormatError(str_cat(where, ": not a valid trainer state (", e.what(), ")"));
  }
}

}  // namespace jpqd::training
