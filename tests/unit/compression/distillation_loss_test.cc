#include "compression/distillation/distillation_loss.h"

#include <gtest/gtest.h>

#include <cmath>

namespace jpqd::compression {
namespace {

constexpr double kTolerance = 1e-6;

// Hand-derived: teacher logits [ln 3, 0] give p_t = [0.75, 0.25]; student [0, 0] gives p_s = [0.5, 0.5].
TEST(DistillationLoss, TemperatureOneIsPlainKl) {
  auto student = torch::zeros({1, 2});
  auto teacher = torch::tensor({{std::log(3.0), 0.0}}, torch::kFloat32);
  const double expected = 0.75 * std::log(0.75 / 0.5) + 0.25 * std::log(0.25 / 0.5);  // 0.130812
  EXPECT_NEAR(distillation_loss(student, teacher, 1.0).item<double>(), expected, kTolerance);
}

TEST(DistillationLoss, TemperatureSoftensAndScalesByTSquared) {
  auto student = torch::zeros({1, 2});
  auto teacher = torch::tensor({{std::log(3.0), 0.0}}, torch::kFloat32);
  const double a = std::sqrt(3.0) / (1 + std::sqrt(3.0));  // softmax([ln3/2, 0])[0]
  const double kl = a * std::log(a / 0.5) + (1 - a) * std::log((1 - a) / 0.5);
  EXPECT_NEAR(distillation_loss(student, teacher, 2.0).item<double>(), 4.0 * kl, kTolerance);
}

TEST(DistillationLoss, BatchMeanDividesBySamplesNotElements) {
  auto student = torch::zeros({2, 2});
  auto teacher = torch::tensor({{std::log(3.0), 0.0}, {0.0, 0.0}}, torch::kFloat32);
  const double row = 0.75 * std::log(1.5) + 0.25 * std::log(0.5);
  EXPECT_NEAR(distillation_loss(student, teacher, 1.0).item<double>(), row / 2, kTolerance);
}

TEST(DistillationLoss, TeacherReceivesNoGradient) {
  auto student = torch::randn({3, 4}, torch::requires_grad());
  auto teacher = torch::randn({3, 4}, torch::requires_grad());
  distillation_loss(student, teacher, 2.0).backward();
  EXPECT_TRUE(student.grad().defined());
  EXPECT_FALSE(teacher.grad().defined());
}

TEST(DistillationLoss, ZeroWhenStudentEqualsTeacher) {
  auto logits = torch::randn({5, 3});
  EXPECT_NEAR(distillation_loss(logits, logits.clone(), 3.0).item<double>(), 0.0, kTolerance);
}

}  // namespace
}  // namespace jpqd::compression
