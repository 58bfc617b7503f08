// TrainingArguments::agreement_json: what data-parallel ranks must share, and what each may set for itself.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "training/training_arguments.h"

namespace jpqd::training {
namespace {

std::string agreement_of(const std::function<void(TrainingArguments&)>& change) {
  TrainingArguments a;
  a.output_dir = "out";
  change(a);
  return a.agreement_json().dump();
}

TEST(TrainingArguments, PerRankSettingsDoNotEnterTheAgreement) {
  const std::string base = agreement_of([](TrainingArguments&) {});
  EXPECT_EQ(agreement_of([](TrainingArguments& a) { a.output_dir = "/node1/scratch/out"; }), base);
  EXPECT_EQ(agreement_of([](TrainingArguments& a) { a.overwrite_output_dir = true; }), base);
  EXPECT_EQ(agreement_of([](TrainingArguments& a) { a.save_total_limit = 3; }), base);
  EXPECT_EQ(agreement_of([](TrainingArguments& a) { a.threads = 7; }), base);
  EXPECT_EQ(agreement_of([](TrainingArguments& a) { a.ddp_timeout = 60; }), base);
  EXPECT_EQ(agreement_of([](TrainingArguments& a) { a.disable_tqdm = true; }), base);
  const std::string cuda = agreement_of([](TrainingArguments& a) { a.device = "cuda"; });
  EXPECT_EQ(agreement_of([](TrainingArguments& a) { a.device = "cuda:1"; }), cuda);
}

TEST(TrainingArguments, SettingsThatChangeTheMathOrTheCollectivesEnterTheAgreement) {
  const std::string base = agreement_of([](TrainingArguments&) {});
  const std::vector<std::pair<std::string, std::function<void(TrainingArguments&)>>> changes = {
      {"seed", [](TrainingArguments& a) { a.seed = 43; }},
      {"learning_rate", [](TrainingArguments& a) { a.learning_rate = 1e-4; }},
      {"per_device_train_batch_size", [](TrainingArguments& a) { a.per_device_train_batch_size = 16; }},
      {"gradient_accumulation_steps", [](TrainingArguments& a) { a.gradient_accumulation_steps = 2; }},
      {"max_grad_norm", [](TrainingArguments& a) { a.max_grad_norm = 0.0; }},
      {"bf16", [](TrainingArguments& a) { a.bf16 = true; }},
      {"device type", [](TrainingArguments& a) { a.device = "cuda"; }},
      {"logging_steps", [](TrainingArguments& a) { a.logging_steps = 10; }},
      {"logging_first_step", [](TrainingArguments& a) { a.logging_first_step = true; }},
      {"eval_steps", [](TrainingArguments& a) { a.eval_steps = 10; }},
      {"save_steps", [](TrainingArguments& a) { a.save_steps = 10; }},
      {"do_eval", [](TrainingArguments& a) { a.do_eval = true; }},
      {"skip_nonfinite_steps", [](TrainingArguments& a) { a.skip_nonfinite_steps = true; }},
      {"resume_from_checkpoint", [](TrainingArguments& a) { a.resume_from_checkpoint = "last"; }},
      {"distillation_weight", [](TrainingArguments& a) { a.distillation_weight = 0.9; }},
  };
  for (const auto& [name, change] : changes) EXPECT_NE(agreement_of(change), base) << name;
}

}  // namespace
}  // namespace jpqd::training
