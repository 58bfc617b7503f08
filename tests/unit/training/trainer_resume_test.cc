// Resume from a checkpoint gives the same result as an uninterrupted run: weights, optimizer moments,
// dropout generator, data order and (with movement sparsity) the schedule, scores and masks.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/json_util.h"
#include "compression/config/compression_config.h"
#include "training/checkpoint.h"
#include "training/trainer.h"
#include "toy_task.h"

namespace jpqd::training {
namespace {

namespace fs = std::filesystem;

TrainingArguments resume_args_for(const std::string& dir) {
  TrainingArguments a;
  a.output_dir = dir;
  a.per_device_train_batch_size = 4;
  a.learning_rate = 1e-3;
  a.num_train_epochs = 4;
  a.logging_steps = 2;
  a.save_strategy = IntervalStrategy::kSteps;
  a.save_steps = 5;
  a.seed = 11;
  a.threads = 1;
  a.disable_tqdm = true;
  return a;
}

std::optional<compression::CompressionConfig> movement_config() {
  // Warm-up over epochs 1..3 of 4 (6 steps each): a resume at step 10 lands in the middle of it.
  return compression::CompressionConfig::parse(Json::parse(toy::movement_sparsity_json()), "test");
}

void expect_resume_matches(const std::optional<compression::CompressionConfig>& compression) {
  const auto root = fs::temp_directory_path() / ("jpqd_resume_" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto data = toy::dataset(24, 5);

  torch::manual_seed(3);
  model::Bert full(toy::config(), model::TaskHead::kSequenceClassification);
  Trainer uninterrupted(full, resume_args_for((root / "full").string()), data, nullptr, nullptr, std::nullopt,
                        compression);
  uninterrupted.train();

  torch::manual_seed(999);  // a different generator state: everything must come from the checkpoint
  model::Bert resumed(toy::config(), model::TaskHead::kSequenceClassification);
  // checkpoint-10 of the uninterrupted run is what a run killed after step 10 would have left.
  auto b = resume_args_for((root / "resumed").string());
  b.resume_from_checkpoint = (root / "full" / "checkpoint-10").string();
  Trainer rest(resumed, b, data, nullptr, nullptr, std::nullopt, compression);
  rest.train();

  auto want = toy::snapshot(*full);
  auto got = toy::snapshot(*resumed);
  ASSERT_EQ(want.size(), got.size());
  for (const auto& [name, tensor] : want) {
    ASSERT_TRUE(got.count(name)) << name;
    EXPECT_TRUE(torch::equal(tensor, got[name])) << name << " differs after resume";
  }
  EXPECT_EQ(uninterrupted.state().global_step, rest.state().global_step);
  fs::remove_all(root);
}

TEST(TrainerResume, PlainFineTuningContinuesExactly) { expect_resume_matches(std::nullopt); }

TEST(TrainerResume, MovementSparsityResumedMidWarmupContinuesExactly) { expect_resume_matches(movement_config()); }

}  // namespace
}  // namespace jpqd::training
