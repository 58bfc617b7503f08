#include "compression/sparsity/movement/movement_scheduler.h"

#include <cmath>
#include <limits>

#include "common/error.h"
#include "common/logging.h"
#include "compression/schedules/polynomial_schedule.h"

namespace jpqd::compression {

std::string movement_stage_name(MovementStage stage) {
  switch (stage) {
    case MovementStage::kPreWarmup: return "PRE_WARMUP";
    case MovementStage::kInWarmup: return "IN_WARMUP";
    case MovementStage::kPostWarmup: return "POST_WARMUP";
  }
  return "UNKNOWN";
}

MovementScheduler::MovementScheduler(const MovementSparsityConfig& config, Callbacks callbacks)
    : config_(config), callbacks_(std::move(callbacks)) {
  steps_per_epoch_ = config_.steps_per_epoch;
  init_threshold_ = config_.init_importance_threshold;
}

MovementStage MovementScheduler::stage() const {
  if (!steps_per_epoch_ || current_step_ < config_.warmup_start_epoch * *steps_per_epoch_)
    return MovementStage::kPreWarmup;
  if (current_step_ < config_.warmup_end_epoch * *steps_per_epoch_) return MovementStage::kInWarmup;
  return MovementStage::kPostWarmup;
}

double MovementScheduler::scheduled_value(double from, double to) const {
  const int64_t spe = *steps_per_epoch_;
  const int64_t k = current_step_ - config_.warmup_start_epoch * spe;
  return polynomial_schedule(from, to, k / spe, k % spe, spe, config_.warmup_end_epoch - config_.warmup_start_epoch,
                             config_.power, /*concave=*/true);
}

double MovementScheduler::importance_threshold() const {
  switch (stage()) {
    case MovementStage::kPreWarmup:
      return -std::numeric_limits<double>::infinity();
    case MovementStage::kInWarmup:
      TORCH_CHECK(init_threshold_.has_value(), "movement scheduler: no initial threshold during warm-up");
      return scheduled_value(*init_threshold_, config_.final_importance_threshold);
    case MovementStage::kPostWarmup:
      break;
  }
  return config_.final_importance_threshold;
}

double MovementScheduler::importance_regularization_factor() const {
  switch (stage()) {
    case MovementStage::kPreWarmup:
      return 0.0;
    case MovementStage::kInWarmup:
      return scheduled_value(0.0, config_.importance_regularization_factor);
    case MovementStage::kPostWarmup:
      break;
  }
  return config_.importance_regularization_factor;
}

void MovementScheduler::epoch_step() {
  ++current_epoch_;
  const int64_t counted = steps_in_current_epoch_;
  if (!steps_per_epoch_ && counted > 0) {
    steps_per_epoch_ = counted;
    log_info("movement_sparsity: measured ", counted, " optimizer steps per epoch in epoch 0");
  } else if (steps_per_epoch_ && counted > 0 && counted != *steps_per_epoch_) {
    // Once frozen after warm-up nothing depends on spe any more.
    JPQD_CHECK(frozen_ && stage() == MovementStage::kPostWarmup, InvalidArgument,
               "movement_sparsity: steps per epoch changed from ", *steps_per_epoch_, " to ", counted, " in epoch ",
               current_epoch_ - 1,
               " (e.g. max_steps cut the epoch, or the data or batch size changed) while the sparsity schedule "
               "depends on it; keep every epoch the same length or set params.steps_per_epoch");
    log_warning("movement_sparsity: epoch ", current_epoch_ - 1, " had ", counted, " steps instead of ",
                *steps_per_epoch_, "; the warm-up has finished, so the schedule is unaffected");
  }
  skip_ = !steps_per_epoch_;
  if (skip_)
    log_info("movement_sparsity: steps_per_epoch is not set; epoch ", current_epoch_,
             " measures it and sparsity scheduling starts afterwards");
  steps_in_current_epoch_ = 0;
}

void MovementScheduler::step() {
  ++current_step_;
  ++steps_in_current_epoch_;
  if (skip_) return;
  // An epoch longer than spe shifts the schedule from here on: fail now rather than at the epoch's end.
  JPQD_CHECK(steps_in_current_epoch_ <= *steps_per_epoch_ || (frozen_ && stage() == MovementStage::kPostWarmup),
             InvalidArgument, "movement_sparsity: steps per epoch changed from ", *steps_per_epoch_, " to more than ",
             *steps_per_epoch_, " in epoch ", current_epoch_,
             " while the sparsity schedule depends on it; keep every epoch the same length or set "
             "params.steps_per_epoch");
  schedule();
}

void MovementScheduler::schedule() {
  const MovementStage s = stage();
  if (!init_threshold_ && s == MovementStage::kInWarmup) {
    TORCH_CHECK(callbacks_.initial_threshold, "movement scheduler: no way to compute the initial threshold");
    init_threshold_ = callbacks_.initial_threshold();
    log_info("movement_sparsity: init_importance_threshold computed as ", *init_threshold_,
             " so that warm-up starts at ~0.1% linear-layer sparsity");
    if (*init_threshold_ >= config_.final_importance_threshold)
      log_warning("movement_sparsity: the computed init_importance_threshold ", *init_threshold_,
                  " is not below final_importance_threshold ", config_.final_importance_threshold,
                  "; movement sparsity may not work as expected");
  }
  if (s == MovementStage::kPostWarmup && !frozen_) {
    if (callbacks_.on_warmup_end) callbacks_.on_warmup_end();
    frozen_ = true;
  }
  push_to_layers();
}

void MovementScheduler::push_to_layers() {
  const std::pair<double, double> now{importance_threshold(), importance_regularization_factor()};
  if (sent_ && *sent_ == now) return;
  if (callbacks_.update_layers) callbacks_.update_layers(now.first, now.second);
  sent_ = now;
}

Json MovementScheduler::state() const {
  Json s = {{"current_step", current_step_},
            {"current_epoch", current_epoch_},
            {"steps_in_current_epoch", steps_in_current_epoch_},
            {"frozen", frozen_}};
  s["init_importance_threshold"] = init_threshold_ ? Json(*init_threshold_) : Json(nullptr);
  s["steps_per_epoch"] = steps_per_epoch_ ? Json(*steps_per_epoch_) : Json(nullptr);
  return s;
}

void MovementScheduler::load_state(const Json& state, const std::string& where) {
  reject_unknown_keys(state,
                      {"current_step", "current_epoch", "steps_in_current_epoch", "frozen",
                       "init_importance_threshold", "steps_per_epoch"},
                      where);
  current_step_ = get_int(state, "current_step", where);
  current_epoch_ = get_int(state, "current_epoch", where);
  frozen_ = get_bool(state, "frozen", where);
  init_threshold_.reset();
  if (state.contains("init_importance_threshold") && !state["init_importance_threshold"].is_null())
    init_threshold_ = get_number(state, "init_importance_threshold", where);
  std::optional<int64_t> spe;
  if (state.contains("steps_per_epoch") && !state["steps_per_epoch"].is_null())
    spe = get_int(state, "steps_per_epoch", where);
  JPQD_CHECK(!config_.steps_per_epoch || !spe || *spe == *config_.steps_per_epoch, InvalidArgument, where,
             ".steps_per_epoch: the checkpoint was trained with ", spe.value_or(0),
             " steps per epoch but the config sets params.steps_per_epoch ", config_.steps_per_epoch.value_or(0));
  steps_per_epoch_ = spe ? spe : config_.steps_per_epoch;
  JPQD_CHECK(current_step_ >= -1 && current_epoch_ >= -1 && (!steps_per_epoch_ || *steps_per_epoch_ >= 1),
             FormatError, where, ": inconsistent movement sparsity scheduler state ", state.dump());
  if (state.contains("steps_in_current_epoch")) {
    steps_in_current_epoch_ = get_int(state, "steps_in_current_epoch", where);
  } else {
    // As NNCF derives it: every finished epoch had spe steps.
    steps_in_current_epoch_ = steps_per_epoch_ ? current_step_ % *steps_per_epoch_ + 1 : current_step_ + 1;
  }
  skip_ = !steps_per_epoch_;
  sent_.reset();
  if (!skip_ && current_step_ >= 0 && (init_threshold_ || stage() != MovementStage::kInWarmup)) push_to_layers();
}

}  // namespace jpqd::compression
