// Checkpoints (writing, rotating, resuming), the saved model and the results files. Every rank calls these;
// only the main process writes.
#include <filesystem>

#include "common/checksum.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "model/hf_checkpoint.h"
#include "training/checkpoint.h"
#include "training/distributed/data_parallel.h"
#include "training/trainer.h"

namespace jpqd::training {

namespace fs = std::filesystem;

namespace {

// A checksum of every parameter and buffer (masks, quantizer ranges included), to prove that data-parallel
// ranks still hold the same model.
uint64_t model_fingerprint(model::BertImpl& model) {
  torch::NoGradGuard no_grad;
  uint64_t h = kFnv1a64Offset;
  auto add = [&h](const torch::Tensor& t) {
    const torch::Tensor c = t.to(torch::kCPU).contiguous();
    h = fnv1a64(c.data_ptr(), c.nbytes(), h);
  };
  for (const auto& item : model.named_parameters(true)) add(item.value());
  for (const auto& item : model.named_buffers(true)) add(item.value());
  return h;
}

// A checkpoint or saved model must never hold NaN/Inf: throws naming the first non-finite tensor.
void check_finite(model::BertImpl& model, int64_t step, const std::string& what) {
  torch::NoGradGuard no_grad;
  auto check = [&](const std::string& name, const torch::Tensor& t) {
    if (!t.is_floating_point()) return;
    JPQD_CHECK(torch::isfinite(t).all().item<bool>(), NumericalError, "step ", step, ": ", name,
               " holds NaN or Inf values; ", what, " was not written");
  };
  for (const auto& item : model.named_parameters(true)) check(item.key(), item.value());
  for (const auto& item : model.named_buffers(true)) check(item.key(), item.value());
}

}  // namespace

std::string Trainer::checkpoint_to_resume() const {
  if (args_.resume_from_checkpoint != "last") return args_.resume_from_checkpoint;
  auto newest = newest_valid_checkpoint(args_.output_dir);
  JPQD_CHECK(newest.has_value(), InvalidArgument, "--resume_from_checkpoint last: no valid checkpoint in ",
             args_.output_dir);
  return *newest;
}

void Trainer::resume_from(const std::string& dir, int64_t batches_per_epoch) {
  verify_checkpoint(dir);
  log_info("Resuming from ", dir);
  std::string weights_source;
  model::load_state(*model_, model::read_checkpoint_tensors(dir, &weights_source), weights_source);
  load_compression_state(dir, *model_);
  load_optimizer_state(dir, *optimizer_);
  load_rng_state((fs::path(dir) / "rng_state.pt").string());
  state_ = TrainerState::from_json(read_json_file((fs::path(dir) / "trainer_state.json").string()),
                                   dir + "/trainer_state.json");
  if (controller_) controller_->load_state(state_.compression_state);
  // The checkpoint's token count is the whole job's; rank 0 carries it (see synchronize_totals).
  if (!is_main_process()) state_.total_tokens = 0.0;
  parallel_->check_agreement("the checkpoint resumed from (its step)", static_cast<uint64_t>(state_.global_step));
  JPQD_CHECK(state_.batches_in_epoch <= batches_per_epoch, InvalidArgument, "--resume_from_checkpoint ", dir,
             ": it stopped after batch ", state_.batches_in_epoch, " of an epoch, but this run has ",
             batches_per_epoch, " batches per epoch (a different batch size or number of processes?)");
  if (state_.batches_in_epoch >= batches_per_epoch) {
    ++state_.epoch_index;
    state_.batches_in_epoch = 0;
  }
}

void Trainer::maybe_save_checkpoint(bool epoch_end) {
  const bool due = epoch_end ? args_.save_strategy == IntervalStrategy::kEpoch
                             : args_.save_strategy == IntervalStrategy::kSteps &&
                                   state_.global_step % args_.save_steps == 0;
  if (due) write_checkpoint();
}

std::string Trainer::write_checkpoint() {
  const std::string dir = (fs::path(args_.output_dir) / ("checkpoint-" + std::to_string(state_.global_step))).string();
  check_finite(*model_, state_.global_step, "checkpoint " + dir);
  check_ranks_hold_the_same_model();
  synchronize_totals();
  // The other ranks wait until the checkpoint is complete: one that stopped now (an interrupt) must not
  // have its launcher tear down rank 0 in the middle of writing.
  if (is_main_process()) write_checkpoint_files(dir);
  parallel_->barrier();
  return dir;
}

void Trainer::check_ranks_hold_the_same_model() {
  // Averaged gradients and shared decisions keep the ranks bit-identical; checkpoints and the end of
  // training are where that is proved.
  if (parallel_->enabled())
    parallel_->check_agreement(str_cat("the model at step ", state_.global_step, " (the ranks diverged)"),
                               model_fingerprint(*model_));
}

void Trainer::synchronize_totals() {
  if (!parallel_->enabled()) return;
  // Means are linear, so a rank that continues from the mean and adds its own losses still averages to
  // the right figure; token counts are summed into rank 0, the one whose trainer state is written.
  const auto means = parallel_->mean({state_.loss_since_log, state_.total_loss});
  state_.loss_since_log = means[0];
  state_.total_loss = means[1];
  const double tokens = parallel_->sum(state_.total_tokens);
  state_.total_tokens = is_main_process() ? tokens : 0.0;
}

void Trainer::write_checkpoint_files(const std::string& dir) {
  // Already saved at this step (by the step and the epoch rule, or by the killed run this one resumes):
  // kept only if it verifies, so a corrupt one left by a kill is replaced rather than trusted.
  if (fs::exists(dir)) {
    try {
      verify_checkpoint(dir);
      return;
    } catch (const Error& e) {
      log_warning("replacing checkpoint ", dir, ": ", e.what());
    }
  }
  if (controller_) state_.compression_state = controller_->state();
  CheckpointContents contents;
  contents.model = model_.get();
  contents.optimizer = optimizer_.get();
  contents.tokenizer = tokenizer_ ? &*tokenizer_ : nullptr;
  contents.trainer_state = state_.to_json();
  contents.training_args = args_.to_json();
  contents.compression_config = compression_config_ ? compression_config_->original : Json();
  save_checkpoint(dir, contents);
  rotate_checkpoints(args_.output_dir, args_.save_total_limit);
}

void Trainer::save_model(const std::string& dir) {
  const std::string target = dir.empty() ? args_.output_dir : dir;
  CheckpointContents contents;
  contents.model = model_.get();
  contents.tokenizer = tokenizer_ ? &*tokenizer_ : nullptr;
  contents.training_args = args_.to_json();
  contents.compression_config = compression_config_ ? compression_config_->original : Json();
  if (controller_) state_.compression_state = controller_->state();
  contents.trainer_state = state_.to_json();
  check_finite(*model_, state_.global_step, "the model in " + target);
  if (is_main_process()) {
    save_model_files(target, contents);
    if (export_hook_) export_hook_(target);
  }
  parallel_->barrier();
}

void Trainer::save_metrics(const std::string& split, const Json& metrics) {
  if (!is_main_process()) return;
  const fs::path dir(args_.output_dir);
  write_file_atomically((dir / (split + "_results.json")).string(), metrics.dump(4));
  Json all = Json::object();
  const auto all_path = (dir / "all_results.json").string();
  if (file_exists(all_path)) all = read_json_file(all_path);
  all.update(metrics);
  write_file_atomically(all_path, all.dump(4));
}

}  // namespace jpqd::training
