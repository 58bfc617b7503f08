// The Trainer's log_history (HF's trainer_state.json "log_history") and its console lines.
#include "common/logging.h"
#include "training/distributed/data_parallel.h"
#include "training/optimizer.h"
#include "training/trainer.h"
#include "training/trainer_internal.h"

namespace jpqd::training {

void Trainer::log(Json entry) {
  entry["epoch"] = detail::round4(state_.epoch);
  entry["step"] = state_.global_step;
  state_.log_history.push_back(entry);
  // Tables (per-layer statistics) stay in log_history; a console line of them would be unreadable.
  Json scalars = Json::object();
  for (const auto& item : entry.items())
    if (!item.value().is_structured()) scalars[item.key()] = item.value();
  log_info(scalars.dump());
}

void Trainer::log_training_step(const Loop& loop, double mean_loss, double grad_norm) {
  using detail::round4;
  // Logged losses are means over ranks (HF gathers them too): the loss of the whole global batch.
  std::vector<double> values{mean_loss};
  for (const auto& item : loop.last_parts.items()) values.push_back(item.value().get<double>());
  values = parallel_->mean(values);
  Json entry = {{"learning_rate", get_learning_rate(*optimizer_)}};
  if (state_.steps_since_log > 0) entry["loss"] = round4(values[0]);  // none when every step was skipped
  // HF's grad_norm: this step's, before clipping, unrounded. It is the figure that shows whether the
  // ranks' gradients were averaged or summed (Adam's update hides a constant factor).
  if (std::isfinite(grad_norm)) entry["grad_norm"] = grad_norm;
  size_t next = 1;
  for (const auto& item : loop.last_parts.items()) entry[item.key()] = round4(values[next++]);
  if (controller_) entry.update(controller_->statistics());
  log(entry);
  state_.loss_since_log = 0.0;
  state_.steps_since_log = 0;
}

}  // namespace jpqd::training
