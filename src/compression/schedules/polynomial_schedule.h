// Polynomial ramps as pure functions of (epoch, step within the epoch, steps per epoch), like NNCF's
// PolynomialDecaySchedule: progress p = clamp((epoch + step/steps_per_epoch) / target_epochs, 0, 1).
#pragma once

#include <cstdint>

namespace jpqd::compression {

// Fractional progress through `target_epochs` epochs, clamped to [0, 1].
double schedule_progress(int64_t epoch, int64_t step, int64_t steps_per_epoch, int64_t target_epochs);

// Concave ramp from 0 to 1: 1 - (1 - p)^power (fast first, flat at the end; movement sparsity's warm-up).
double concave_polynomial_scale(double progress, double power);
// Convex ramp from 0 to 1: p^power.
double convex_polynomial_scale(double progress, double power);

// initial + scale * (target - initial) with the concave or convex scale of the progress.
double polynomial_schedule(double initial, double target, int64_t epoch, int64_t step, int64_t steps_per_epoch,
                           int64_t target_epochs, double power, bool concave);

}  // namespace jpqd::compression
