// Shared by the Trainer's source files only (trainer.cc, trainer_loop.cc, ...): helpers that more than one of
// them needs, and the state of one train() call. Not part of the library's interface.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "common/progress_bar.h"
#include "training/trainer.h"

namespace jpqd::training {

namespace detail {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline double round4(double v) { return std::round(v * 1e4) / 1e4; }

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// How many batches, optimizer steps and epochs a run makes. The compression schedule needs the epoch
// count before training (a warm-up that ends after the last epoch would never reach structured
// masking), and --max_steps decides it as much as --num_train_epochs does.
struct EpochPlan {
  int64_t batches_per_epoch = 0;
  int64_t updates_per_epoch = 0;
  int64_t max_steps = 0;
  int64_t epochs = 0;
};

inline EpochPlan plan_epochs(const TrainingArguments& args, int64_t samples, int64_t world_size) {
  EpochPlan plan;
  // Each rank holds ceil(n / W) examples of every epoch (the sampler wraps around to even them out).
  plan.batches_per_epoch = ceil_div(ceil_div(samples, world_size), args.per_device_train_batch_size);
  // The last, shorter accumulation group of an epoch still makes an optimizer step.
  plan.updates_per_epoch = ceil_div(plan.batches_per_epoch, args.gradient_accumulation_steps);
  plan.max_steps = args.max_steps > 0
                       ? args.max_steps
                       : static_cast<int64_t>(std::ceil(args.num_train_epochs * plan.updates_per_epoch));
  plan.epochs = ceil_div(plan.max_steps, plan.updates_per_epoch);
  return plan;
}

// Seed of a training batch's random transform (MLM masking): a function of where the batch is in the
// run, never of how many batches were drawn before, so resumed runs mask identically. Data-parallel
// ranks hold different examples at the same batch index, so each rank masks with its own stream.
inline uint64_t batch_seed(int64_t seed, int64_t epoch, int64_t batch, int64_t rank = 0) {
  return static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ULL ^ static_cast<uint64_t>(epoch) * 0xBF58476D1CE4E5B9ULL ^
         static_cast<uint64_t>(batch + 1) * 0x94D049BB133111EBULL ^ static_cast<uint64_t>(rank) * 0xD6E8FEB86659FD93ULL;
}

// The sample indices of batch `batch` of an epoch's order (the last batch may be shorter).
inline std::vector<int64_t> batch_indices(const std::vector<int64_t>& order, int64_t batch, int64_t batch_size) {
  const auto begin = std::min<int64_t>(batch * batch_size, static_cast<int64_t>(order.size()));
  const auto end = std::min<int64_t>(begin + batch_size, static_cast<int64_t>(order.size()));
  return std::vector<int64_t>(order.begin() + begin, order.begin() + end);
}

}  // namespace detail

// What one train() call carries from its start through every epoch to its end.
struct Trainer::Loop {
  std::chrono::steady_clock::time_point start;
  int64_t samples = 0;
  int64_t batch_size = 0;
  int64_t accumulation = 1;
  detail::EpochPlan plan;
  int64_t warmup_steps = 0;
  std::optional<ProgressBar> progress;  // created once the run's plan is logged
  Json last_parts = Json::object();     // loss parts of the latest micro-batch, for the logging step
  bool stop = false;

  // The accumulation group in progress. Groups never straddle epochs, so every epoch starts them afresh.
  double group_loss = 0.0;
  bool group_nonfinite = false;  // a skipped micro-batch poisons its whole optimizer step
  std::string nonfinite_error;
};

}  // namespace jpqd::training
