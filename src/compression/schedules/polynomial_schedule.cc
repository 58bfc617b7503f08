#include "compression/schedules/polynomial_schedule.h"

#include <algorithm>
#include <cmath>

namespace jpqd::compression {

double schedule_progress(int64_t epoch, int64_t step, int64_t steps_per_epoch, int64_t target_epochs) {
  double fractional_epoch = static_cast<double>(epoch);
  if (steps_per_epoch > 0) fractional_epoch += static_cast<double>(step) / static_cast<double>(steps_per_epoch);
  if (target_epochs <= 0) return 1.0;
  return std::clamp(fractional_epoch / static_cast<double>(target_epochs), 0.0, 1.0);
}

double concave_polynomial_scale(double progress, double power) { return 1.0 - std::pow(1.0 - progress, power); }

double convex_polynomial_scale(double progress, double power) { return std::pow(progress, power); }

double polynomial_schedule(double initial, double target, int64_t epoch, int64_t step, int64_t steps_per_epoch,
                           int64_t target_epochs, double power, bool concave) {
  const double p = schedule_progress(epoch, step, steps_per_epoch, target_epochs);
  const double scale = concave ? concave_polynomial_scale(p, power) : convex_polynomial_scale(p, power);
  return initial + scale * (target - initial);
}

}  // namespace jpqd::compression
