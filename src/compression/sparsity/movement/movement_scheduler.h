// Movement sparsity's scheduler (docs/algorithms.md 1.4): threshold tau and regularisation factor lambda_t per
// optimizer step, with three explicit stages.
//
//   PRE_WARMUP   step < start*spe          tau = -inf, lambda_t = 0
//   IN_WARMUP    step < end*spe            scale = 1 - (1 - p)^power with p the progress through warm-up,
//                                          tau = tau_init + scale*(tau_final - tau_init), lambda_t = scale*lambda
//   POST_WARMUP  otherwise                 tau = tau_final, lambda_t = lambda; at its first step the controller
//                                          resolves structured masks (if enabled) and freezes
//
// steps per epoch (spe): from the config, or counted during epoch 0 (no scheduling happens then). An
// epoch whose step count differs from spe would silently shift the schedule, so it is an error unless
// the schedule had already finished (frozen, POST_WARMUP), e.g. a last epoch cut short by max_steps.
#pragma once

#include <functional>
#include <optional>
#include <utility>

#include "common/json_util.h"
#include "compression/config/movement_sparsity_config.h"

namespace jpqd::compression {

enum class MovementStage { kPreWarmup, kInWarmup, kPostWarmup };

std::string movement_stage_name(MovementStage stage);  // "PRE_WARMUP", "IN_WARMUP", "POST_WARMUP"

class MovementScheduler {
 public:
  // What the scheduler asks of the controller; every callback may be empty (tests of the schedule alone).
  struct Callbacks {
    std::function<double()> initial_threshold;          // automatic tau_init (k-th smallest expanded score)
    std::function<void()> on_warmup_end;                // structured masking (if enabled), then freeze
    std::function<void(double, double)> update_layers;  // (tau, lambda_t) into every operand, when changed
  };

  explicit MovementScheduler(const MovementSparsityConfig& config, Callbacks callbacks = {});

  // Call at the START of every epoch and at the START of every optimizer step.
  void epoch_step();
  void step();

  MovementStage stage() const;
  double importance_threshold() const;
  double importance_regularization_factor() const;

  int64_t current_step() const { return current_step_; }
  int64_t current_epoch() const { return current_epoch_; }
  std::optional<int64_t> steps_per_epoch() const { return steps_per_epoch_; }
  std::optional<double> init_importance_threshold() const { return init_threshold_; }
  bool frozen() const { return frozen_; }

  // {current_step, current_epoch, init_importance_threshold, steps_per_epoch, steps_in_current_epoch, frozen};
  // null for unknown optionals.
  Json state() const;
  // Restores state() output and re-sends (tau, lambda_t) to the layers. `where` names the source in errors.
  void load_state(const Json& state, const std::string& where);

 private:
  void schedule();
  double scheduled_value(double from, double to) const;
  void push_to_layers();

  MovementSparsityConfig config_;
  Callbacks callbacks_;
  int64_t current_step_ = -1;
  int64_t current_epoch_ = -1;
  std::optional<int64_t> steps_per_epoch_;
  std::optional<double> init_threshold_;
  int64_t steps_in_current_epoch_ = 0;
  bool skip_ = false;  // epoch 0 while spe is being measured
  bool frozen_ = false;
  std::optional<std::pair<double, double>> sent_;  // last (tau, lambda_t) given to the layers
};

}  // namespace jpqd::compression
