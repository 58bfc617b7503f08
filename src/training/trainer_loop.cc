// The epoch and optimizer-step loop of Trainer::train(), in the order of docs/algorithms.md section 0.
#include <limits>

#include "common/error.h"
#include "common/logging.h"
#include "training/distributed/data_parallel.h"
#include "training/interrupt.h"
#include "training/optimizer.h"
#include "training/trainer.h"
#include "training/trainer_internal.h"

namespace jpqd::training {

namespace {

// "NaN", "Inf" or "-Inf" for error messages (printf would say "nan" or "-nan" depending on the sign bit).
std::string nonfinite_name(double v) { return std::isnan(v) ? "NaN" : v > 0 ? "Inf" : "-Inf"; }

// The L2 norm over every gradient, as clip_grad_norm_ computes it, for runs that do not clip: a NaN or
// Inf gradient must be caught whether or not --max_grad_norm is set.
double unclipped_gradient_norm(const std::vector<torch::Tensor>& params) {
  if (params.empty()) return 0.0;
  std::vector<torch::Tensor> norms;
  for (const auto& p : params) norms.push_back(p.grad().norm(2));
  return torch::stack(norms).norm(2).item<double>();
}

}  // namespace

void Trainer::run_epoch(Loop& loop, int64_t epoch) {
  state_.epoch_index = epoch;
  // A run resumed in the middle of an epoch has already made this epoch's call.
  if (state_.batches_in_epoch == 0 && controller_) controller_->epoch_step();
  const auto order = parallel_->epoch_indices(loop.samples, args_.seed, epoch);
  loop.group_loss = 0.0;
  loop.group_nonfinite = false;
  loop.nonfinite_error.clear();
  const int64_t batches = loop.plan.batches_per_epoch;
  for (int64_t b = state_.batches_in_epoch; b < batches; ++b) {
    const int64_t group_begin = b - b % loop.accumulation;
    const int64_t group_size = std::min(loop.accumulation, batches - group_begin);
    if (b % loop.accumulation == 0 && controller_) controller_->step();
    train_micro_batch(loop, order, epoch, b, group_size);
    state_.batches_in_epoch = b + 1;
    if (b + 1 != group_begin + group_size) continue;

    const double grad_norm = synchronized_gradient_norm(loop);
    optimizer_step(loop, epoch, b);
    after_optimizer_step(loop, grad_norm);
    if (state_.global_step >= loop.plan.max_steps) {
      loop.stop = true;
      break;
    }
  }
  if (state_.batches_in_epoch >= batches || loop.stop) end_epoch();
  if (!loop.stop) {
    state_.epoch_index = epoch + 1;
    state_.batches_in_epoch = 0;
  }
}

void Trainer::train_micro_batch(Loop& loop, const std::vector<int64_t>& order, int64_t epoch, int64_t b,
                                int64_t group_size) {
  const Batch batch = to_device(train_dataset_->batch(detail::batch_indices(order, b, loop.batch_size),
                                                      detail::batch_seed(args_.seed, epoch, b, parallel_->rank())),
                                device_);
  state_.total_tokens += static_cast<double>(batch.inputs.attention_mask.sum().item<int64_t>());
  torch::Tensor loss = compute_loss(batch, &loop.last_parts);
  const double loss_value = loss.item<double>();
  if (!std::isfinite(loss_value)) {
    // Decided at the optimizer step, together with the other ranks.
    if (!loop.group_nonfinite)
      loop.nonfinite_error = str_cat("step ", state_.global_step + 1, " (epoch ", epoch, ", batch ", b, "): loss is ",
                                     nonfinite_name(loss_value), "; no checkpoint was written for it");
    if (args_.skip_nonfinite_steps)
      log_warning("step ", state_.global_step + 1, ": loss is ", nonfinite_name(loss_value), ", skipping the step");
    loop.group_nonfinite = true;
  } else if (!loop.group_nonfinite) {
    (loss / static_cast<double>(group_size)).backward();
    loop.group_loss += loss_value / static_cast<double>(group_size);
  }
}

double Trainer::synchronized_gradient_norm(Loop& loop) {
  double grad_norm = std::numeric_limits<double>::quiet_NaN();  // stays NaN for a skipped step
  // Every rank skips the step if any rank's loss was not finite.
  if (parallel_->any(loop.group_nonfinite)) {
    if (!args_.skip_nonfinite_steps)
      throw NumericalError(!loop.nonfinite_error.empty()
                               ? loop.nonfinite_error
                               : str_cat("step ", state_.global_step + 1, ": another rank's loss is not finite; ",
                                         "no checkpoint was written for it"));
    loop.group_nonfinite = true;
    return grad_norm;
  }
  std::vector<torch::Tensor> params;
  for (auto& p : model_->parameters())
    if (p.grad().defined()) params.push_back(p);
  // Clipping sees the averaged gradient, so every rank clips by the same norm.
  parallel_->average_gradients(params);
  grad_norm = args_.max_grad_norm > 0 ? torch::nn::utils::clip_grad_norm_(params, args_.max_grad_norm)
                                      : unclipped_gradient_norm(params);
  if (!std::isfinite(grad_norm)) {
    JPQD_CHECK(args_.skip_nonfinite_steps, NumericalError, "step ", state_.global_step + 1, ": gradient norm is ",
               nonfinite_name(grad_norm), "; no checkpoint was written for it");
    log_warning("step ", state_.global_step + 1, ": gradient norm is ", nonfinite_name(grad_norm),
                ", skipping the step");
    loop.group_nonfinite = true;
  }
  return grad_norm;
}

void Trainer::optimizer_step(Loop& loop, int64_t epoch, int64_t b) {
  // A skipped step must not move the weights at all: AdamW would still apply its momentum and weight
  // decay to zeroed gradients, so step() is not called.
  if (loop.group_nonfinite) {
    ++state_.skipped_steps;
  } else {
    optimizer_->step();
    state_.loss_since_log += loop.group_loss;
    state_.total_loss += loop.group_loss;
    ++state_.steps_since_log;
  }
  optimizer_->zero_grad();
  ++lr_step_;
  set_learning_rate(*optimizer_, args_.learning_rate * lr_lambda(args_.lr_scheduler_type, lr_step_,
                                                                 loop.warmup_steps, loop.plan.max_steps));
  ++state_.global_step;
  state_.epoch = static_cast<double>(epoch) +
                 static_cast<double>(b + 1) / static_cast<double>(loop.plan.batches_per_epoch);
  loop.group_loss = 0.0;
  loop.group_nonfinite = false;
  loop.nonfinite_error.clear();
}

void Trainer::after_optimizer_step(Loop& loop, double grad_norm) {
  const double mean_loss =
      state_.steps_since_log > 0 ? state_.loss_since_log / static_cast<double>(state_.steps_since_log) : 0.0;
  loop.progress->set_postfix(str_cat("loss=", detail::round4(mean_loss)));
  loop.progress->update();

  if (state_.global_step % args_.logging_steps == 0 || (args_.logging_first_step && state_.global_step == 1))
    log_training_step(loop, mean_loss, grad_norm);
  if (args_.evaluation_strategy == IntervalStrategy::kSteps && state_.global_step % args_.eval_interval() == 0 &&
      eval_dataset_)
    evaluate();
  maybe_save_checkpoint(/*epoch_end=*/false);
  stop_if_interrupted();
}

void Trainer::stop_if_interrupted() {
  // A signal may reach one rank only; all of them stop at the same step.
  if (!parallel_->any(interrupt_requested())) return;
  const std::string dir = write_checkpoint();
  const std::string cause =
      interrupt_requested() ? str_cat("signal ", interrupt_signal()) : std::string("a signal to another rank");
  throw Error(str_cat("interrupted by ", cause, " at step ", state_.global_step, "; checkpoint saved in ", dir,
                      " (resume with --resume_from_checkpoint ", dir, ")"),
              ExitCode::kInterrupted);
}

void Trainer::end_epoch() {
  if (controller_) log(controller_->epoch_statistics());
  if (args_.evaluation_strategy == IntervalStrategy::kEpoch && eval_dataset_) evaluate();
  maybe_save_checkpoint(/*epoch_end=*/true);
}

}  // namespace jpqd::training
