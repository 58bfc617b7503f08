#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "common/error.h"
#include "compression/schedules/polynomial_schedule.h"
#include "compression/sparsity/movement/movement_scheduler.h"

namespace jpqd::compression {
namespace {

// The reference values of docs/algorithms.md section 8 have 4 decimals.
constexpr double kVectorTolerance = 5e-5;
const double kInf = std::numeric_limits<double>::infinity();

MovementSparsityConfig config(int64_t start, int64_t end, double lambda, double power, std::optional<double> init,
                              double final_threshold, std::optional<int64_t> spe) {
  MovementSparsityConfig c;
  c.warmup_start_epoch = start;
  c.warmup_end_epoch = end;
  c.importance_regularization_factor = lambda;
  c.power = power;
  c.init_importance_threshold = init;
  c.final_importance_threshold = final_threshold;
  c.steps_per_epoch = spe;
  return c;
}

struct Trace {
  std::vector<double> tau, lambda;
};

// Drives the scheduler like the trainer: epoch_step() at each epoch start, step() at each step.
Trace run(MovementScheduler& s, int64_t steps, int64_t steps_per_epoch) {
  Trace t;
  for (int64_t i = 0; i < steps; ++i) {
    if (i % steps_per_epoch == 0) s.epoch_step();
    s.step();
    t.tau.push_back(s.importance_threshold());
    t.lambda.push_back(s.importance_regularization_factor());
  }
  return t;
}

void expect_value(double actual, double expected, size_t step, const char* what) {
  if (std::isinf(expected)) {
    EXPECT_EQ(actual, expected) << what << " at step " << step;
  } else {
    EXPECT_NEAR(actual, expected, kVectorTolerance) << what << " at step " << step;
  }
}

TEST(ScheduleMovement, TestVectorA) {
  MovementScheduler s(config(1, 3, 0.1, 2.0, -1.0, 0.0, 4));
  const Trace t = run(s, 20, 4);
  const std::vector<double> tau = {-kInf, -kInf,   -kInf,   -kInf, -1.0,    -0.7656, -0.5625,
                                   -0.3906, -0.25, -0.1406, -0.0625, -0.0156, 0, 0, 0, 0, 0, 0, 0, 0};
  const std::vector<double> lambda = {0, 0, 0, 0, 0, 0.0234, 0.0438, 0.0609, 0.075, 0.0859, 0.0938, 0.0984,
                                      0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
  for (size_t i = 0; i < 20; ++i) {
    expect_value(t.tau[i], tau[i], i, "tau");
    expect_value(t.lambda[i], lambda[i], i, "lambda");
  }
}

TEST(ScheduleMovement, TestVectorB) {
  MovementScheduler s(config(2, 8, 10.0, 4.0, 0.0, 5.0, 3));
  const Trace t = run(s, 15, 3);
  const std::vector<double> tau = {0, 1.0219, 1.8785, 2.5887, 3.1702, 3.6396, 4.0123, 4.3027, 4.5237};
  const std::vector<double> lambda = {0, 2.0438, 3.7570, 5.1775};
  for (size_t i = 0; i < 6; ++i) {
    expect_value(t.tau[i], -kInf, i, "tau");
    expect_value(t.lambda[i], 0.0, i, "lambda");
  }
  for (size_t i = 0; i < tau.size(); ++i) expect_value(t.tau[6 + i], tau[i], 6 + i, "tau");
  for (size_t i = 0; i < lambda.size(); ++i) expect_value(t.lambda[6 + i], lambda[i], 6 + i, "lambda");
}

TEST(ScheduleMovement, StagesAndOneFreezeAtTheFirstPostWarmupStep) {
  int warmup_ends = 0;
  int64_t freeze_step = -1;
  MovementScheduler* self = nullptr;
  MovementScheduler s(config(1, 2, 1.0, 3.0, -1.0, 0.0, 3),
                      {nullptr,
                       [&] {
                         ++warmup_ends;
                         freeze_step = self->current_step();
                       },
                       nullptr});
  self = &s;
  std::vector<MovementStage> stages;
  for (int64_t i = 0; i < 12; ++i) {
    if (i % 3 == 0) s.epoch_step();
    s.step();
    stages.push_back(s.stage());
  }
  EXPECT_EQ(stages[2], MovementStage::kPreWarmup);
  EXPECT_EQ(stages[3], MovementStage::kInWarmup);
  EXPECT_EQ(stages[5], MovementStage::kInWarmup);
  EXPECT_EQ(stages[6], MovementStage::kPostWarmup);
  EXPECT_EQ(warmup_ends, 1);
  EXPECT_EQ(freeze_step, 6);
  EXPECT_TRUE(s.frozen());
  EXPECT_EQ(movement_stage_name(MovementStage::kInWarmup), "IN_WARMUP");
}

TEST(ScheduleMovement, StepsPerEpochMeasuredInEpochZeroAndScheduleSkippedMeanwhile) {
  std::vector<std::pair<double, double>> sent;
  int init_calls = 0;
  int64_t init_step = -1;
  MovementScheduler* self = nullptr;
  MovementScheduler s(config(1, 3, 0.1, 2.0, std::nullopt, 0.0, std::nullopt),
                      {[&] {
                         ++init_calls;
                         init_step = self->current_step();
                         return -1.0;
                       },
                       nullptr, [&](double tau, double lambda) { sent.emplace_back(tau, lambda); }});
  self = &s;
  // Epoch 0: 4 steps, nothing scheduled.
  s.epoch_step();
  for (int i = 0; i < 4; ++i) s.step();
  EXPECT_FALSE(s.steps_per_epoch().has_value());
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(s.stage(), MovementStage::kPreWarmup);
  // Epoch 1 starts warm-up at step 4 = 1 * 4: the same values as test vector A.
  s.epoch_step();
  ASSERT_TRUE(s.steps_per_epoch().has_value());
  EXPECT_EQ(*s.steps_per_epoch(), 4);
  s.step();
  EXPECT_EQ(init_calls, 1);
  EXPECT_EQ(init_step, 4);
  EXPECT_DOUBLE_EQ(s.importance_threshold(), -1.0);
  s.step();
  EXPECT_NEAR(s.importance_threshold(), -0.7656, kVectorTolerance);
  EXPECT_NEAR(s.importance_regularization_factor(), 0.0234, kVectorTolerance);
  ASSERT_EQ(sent.size(), 2u);  // one update per changed value
  EXPECT_EQ(init_calls, 1);
}

TEST(ScheduleMovement, UpdatesAreSentOnlyWhenValuesChange) {
  int updates = 0;
  MovementScheduler s(config(1, 2, 0.1, 2.0, -1.0, 0.0, 2), {nullptr, nullptr, [&](double, double) { ++updates; }});
  run(s, 10, 2);
  // steps 0-1 (-inf, 0) once, steps 2 and 3 differ, steps 4-9 (0, 0.1) once.
  EXPECT_EQ(updates, 4);
}

TEST(ScheduleMovement, ShorterEpochDuringTheScheduleIsAnError) {
  MovementScheduler s(config(1, 3, 0.1, 2.0, -1.0, 0.0, std::nullopt));
  s.epoch_step();
  for (int i = 0; i < 5; ++i) s.step();
  s.epoch_step();  // spe = 5
  for (int i = 0; i < 4; ++i) s.step();
  try {
    s.epoch_step();
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("steps per epoch changed from 5 to 4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("params.steps_per_epoch"), std::string::npos) << msg;
  }
}

TEST(ScheduleMovement, LongerEpochDuringTheScheduleIsAnError) {
  MovementScheduler s(config(1, 3, 0.1, 2.0, -1.0, 0.0, 3));
  s.epoch_step();
  for (int i = 0; i < 3; ++i) s.step();
  EXPECT_THROW(s.step(), InvalidArgument);
}

TEST(ScheduleMovement, ShortEpochAfterTheScheduleFinishedIsAllowed) {
  MovementScheduler s(config(1, 2, 0.1, 2.0, -1.0, 0.0, 3));
  run(s, 9, 3);  // epochs 0, 1 (warm-up), 2 (post): frozen at step 6
  ASSERT_TRUE(s.frozen());
  s.epoch_step();
  s.step();  // epoch 3 cut after 1 step (max_steps)
  EXPECT_NO_THROW(s.epoch_step());
  EXPECT_EQ(s.stage(), MovementStage::kPostWarmup);
}

TEST(ScheduleMovement, StateRoundTripMidWarmupContinuesIdentically) {
  for (bool measured : {false, true}) {
    auto make_config = [&] { return config(1, 3, 0.1, 2.0, -1.0, 0.0, measured ? std::nullopt : std::optional<int64_t>(4)); };
    MovementScheduler reference(make_config());
    const Trace full = run(reference, 20, 4);

    MovementScheduler first(make_config());
    run(first, 7, 4);  // stop inside epoch 1, in the middle of warm-up
    const Json saved = first.state();
    EXPECT_EQ(saved["current_step"], 6);
    EXPECT_EQ(saved["current_epoch"], 1);

    std::vector<std::pair<double, double>> sent;
    MovementScheduler resumed(make_config(), {nullptr, nullptr, [&](double t, double l) { sent.emplace_back(t, l); }});
    resumed.load_state(Json::parse(saved.dump()), "state");
    ASSERT_EQ(sent.size(), 1u);  // the layers get the restored values at once
    EXPECT_DOUBLE_EQ(sent[0].first, full.tau[6]);
    for (int64_t i = 7; i < 20; ++i) {
      if (i % 4 == 0) resumed.epoch_step();
      resumed.step();
      EXPECT_DOUBLE_EQ(resumed.importance_threshold(), full.tau[i]) << "step " << i << " measured " << measured;
      EXPECT_DOUBLE_EQ(resumed.importance_regularization_factor(), full.lambda[i]) << "step " << i;
    }
    EXPECT_TRUE(resumed.frozen());
  }
}

TEST(ScheduleMovement, StateRoundTripDuringTheMeasuringEpoch) {
  MovementScheduler first(config(1, 3, 0.1, 2.0, -1.0, 0.0, std::nullopt));
  first.epoch_step();
  first.step();
  first.step();
  MovementScheduler resumed(config(1, 3, 0.1, 2.0, -1.0, 0.0, std::nullopt));
  resumed.load_state(first.state(), "state");
  resumed.step();
  resumed.step();
  resumed.epoch_step();
  ASSERT_TRUE(resumed.steps_per_epoch().has_value());
  EXPECT_EQ(*resumed.steps_per_epoch(), 4);
  resumed.step();
  EXPECT_DOUBLE_EQ(resumed.importance_threshold(), -1.0);
}

TEST(ScheduleMovement, LoadStateRejectsForeignState) {
  MovementScheduler s(config(1, 3, 0.1, 2.0, -1.0, 0.0, 4));
  EXPECT_THROW(s.load_state(Json::parse(R"({"current_step":3})"), "state"), InvalidArgument);
  EXPECT_THROW(s.load_state(Json::parse(R"({"current_step":3,"current_epoch":0,"frozen":false,
      "steps_per_epoch":5,"init_importance_threshold":null})"), "state"),
               InvalidArgument);  // trained with 5 steps per epoch, config says 4
}

TEST(SchedulePolynomial, ConcaveAndConvexRamps) {
  EXPECT_DOUBLE_EQ(schedule_progress(0, 0, 4, 2), 0.0);
  EXPECT_DOUBLE_EQ(schedule_progress(1, 2, 4, 2), 0.75);
  EXPECT_DOUBLE_EQ(schedule_progress(5, 0, 4, 2), 1.0);  // clamped
  EXPECT_DOUBLE_EQ(concave_polynomial_scale(0.5, 3.0), 0.875);
  EXPECT_DOUBLE_EQ(convex_polynomial_scale(0.5, 3.0), 0.125);
  EXPECT_DOUBLE_EQ(polynomial_schedule(-1.0, 0.0, 0, 1, 4, 2, 2.0, true), -1.0 + (1 - 0.875 * 0.875));
}

}  // namespace
}  // namespace jpqd::compression
