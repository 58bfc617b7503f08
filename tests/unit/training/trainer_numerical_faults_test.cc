// Numerical faults: a NaN or Inf loss or gradient stops training with a NumericalError naming the
// step and the quantity, and no checkpoint is written for that step; with skip_nonfinite_steps the
// poisoned optimizer step is skipped as a whole (the weights are exactly those of a run that stopped just
// before it) and training continues with finite weights. Weights that are already non-finite are never
// checkpointed.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <limits>
#include <memory>

#include "common/error.h"
#include "model/safetensors.h"
#include "training/checkpoint.h"
#include "training/trainer.h"
#include "toy_task.h"

namespace jpqd::training {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSamples = 16;
constexpr int64_t kBatch = 4;
constexpr int64_t kStepsPerEpoch = kSamples / kBatch;
constexpr int64_t kEpochs = 3;
constexpr int64_t kSeed = 13;
// The poisoned example sits at this position of epoch 0's order, i.e. in batch 2: optimizer step 3.
constexpr int64_t kPoisonPosition = 8;
constexpr int64_t kPoisonStep = kPoisonPosition / kBatch + 1;

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("jpqd_faults_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  fs::path operator/(const std::string& sub) const { return path_ / sub; }

 private:
  fs::path path_;
};

TrainingArguments faults_args_for(const fs::path& dir) {
  TrainingArguments a;
  a.output_dir = dir.string();
  a.per_device_train_batch_size = kBatch;
  a.learning_rate = 1e-3;
  a.lr_scheduler_type = "constant";  // a shorter run sees the same learning rate at every step
  a.num_train_epochs = kEpochs;
  a.logging_steps = 1;
  a.save_strategy = IntervalStrategy::kSteps;
  a.save_steps = 1;
  a.seed = kSeed;
  a.threads = 1;
  a.disable_tqdm = true;
  return a;
}

// The toy task as a regression (one output, MSE), with the example at kPoisonPosition of epoch 0 given
// the target `poison`: the MSE of its batch is then NaN or Inf while every other batch stays finite.
std::shared_ptr<TokenizedDataset> regression_data(double poison) {
  auto classes = toy::dataset(kSamples, 5);
  std::vector<Row> rows;
  for (int64_t i = 0; i < classes->size(); ++i) {
    Row r = classes->row(i);
    r.targets = {static_cast<float>(r.label)};
    rows.push_back(std::move(r));
  }
  const int64_t poisoned_row = epoch_permutation(kSamples, kSeed, 0)[kPoisonPosition];
  rows[static_cast<size_t>(poisoned_row)].targets = {static_cast<float>(poison)};
  return std::make_shared<TokenizedDataset>(std::move(rows), TargetKind::kRegression, 0, 0);
}

model::Bert regression_model() {
  torch::manual_seed(3);
  model::BertConfig c = toy::config();
  c.set_num_labels(1);
  c.problem_type = "regression";
  return model::Bert(c, model::TaskHead::kSequenceClassification);
}

model::Bert classification_model() {
  torch::manual_seed(3);
  return model::Bert(toy::config(), model::TaskHead::kSequenceClassification);
}

std::map<std::string, torch::Tensor> snapshot(model::BertImpl& m) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.named_parameters(true)) out[p.key()] = p.value().detach().clone();
  return out;
}

bool all_finite(const std::map<std::string, torch::Tensor>& tensors) {
  for (const auto& [name, t] : tensors)
    if (!torch::isfinite(t).all().item<bool>()) return false;
  return true;
}

void expect_same_weights(model::BertImpl& want, model::BertImpl& got) {
  const auto a = snapshot(want), b = snapshot(got);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) EXPECT_TRUE(torch::equal(t, b.at(name))) << name << " differs";
}

std::vector<std::string> names(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back(fs::path(p).filename().string());
  return out;
}

bool has_hidden_temporaries(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind('.', 0) == 0) return true;
  return false;
}

// After a fault at kPoisonStep: checkpoints 1 .. kPoisonStep-1 exist, the last one verifies and holds
// finite weights, and nothing for the poisoned step was written, not even a temporary directory.
void expect_only_good_checkpoints(const fs::path& out) {
  std::vector<std::string> want;
  for (int64_t s = 1; s < kPoisonStep; ++s) want.push_back("checkpoint-" + std::to_string(s));
  EXPECT_EQ(names(list_checkpoints(out.string())), want);
  const auto last = out / ("checkpoint-" + std::to_string(kPoisonStep - 1));
  EXPECT_NO_THROW(verify_checkpoint(last.string()));
  std::map<std::string, torch::Tensor> weights;
  for (auto& [name, t] : model::read_safetensors((last / "model.safetensors").string())) weights[name] = t;
  EXPECT_FALSE(weights.empty());
  EXPECT_TRUE(all_finite(weights));
  EXPECT_FALSE(has_hidden_temporaries(out));
}

// Runs `trainer.train()` expecting a NumericalError; returns its message.
std::string expect_numerical_error(Trainer& trainer) {
  try {
    trainer.train();
  } catch (const NumericalError& e) {
    EXPECT_EQ(e.exit_code(), ExitCode::kNumericalError);
    return e.what();
  }
  ADD_FAILURE() << "training finished without a NumericalError";
  return "";
}

std::string value_text(double v) { return std::isnan(v) ? "NaN" : "Inf"; }

// ---- a non-finite loss -------------------------------------------------------------------------------

class NonFiniteLoss : public ::testing::TestWithParam<double> {};

TEST_P(NonFiniteLoss, StopsNamingTheStepAndTheLossWithoutCheckpointingIt) {
  ScratchDir root("loss_stop");
  Trainer trainer(regression_model(), faults_args_for(root / "out"), regression_data(GetParam()), nullptr, nullptr,
                  std::nullopt);
  const std::string message = expect_numerical_error(trainer);
  EXPECT_NE(message.find("step " + std::to_string(kPoisonStep) + " "), std::string::npos) << message;
  EXPECT_NE(message.find("loss is " + value_text(GetParam())), std::string::npos) << message;
  expect_only_good_checkpoints(root / "out");
}

TEST_P(NonFiniteLoss, SkippedStepLeavesTheWeightsOfARunThatStoppedBeforeIt) {
  ScratchDir root("loss_skip_exact");
  auto data = regression_data(GetParam());
  auto before = faults_args_for(root / "before");
  before.max_steps = kPoisonStep - 1;
  model::Bert reference = regression_model();
  Trainer(reference, before, data, nullptr, nullptr, std::nullopt).train();

  auto skipping = faults_args_for(root / "skip");
  skipping.max_steps = kPoisonStep;
  skipping.skip_nonfinite_steps = true;
  model::Bert model = regression_model();
  Trainer trainer(model, skipping, data, nullptr, nullptr, std::nullopt);
  trainer.train();
  EXPECT_EQ(trainer.state().global_step, kPoisonStep);
  EXPECT_EQ(trainer.state().skipped_steps, 1);
  // Not even AdamW's momentum or weight decay may move a weight in a skipped step.
  expect_same_weights(*reference, *model);
}

TEST_P(NonFiniteLoss, SkippingContinuesToTheEndWithFiniteWeights) {
  ScratchDir root("loss_skip_all");
  auto args = faults_args_for(root / "out");
  args.skip_nonfinite_steps = true;
  model::Bert model = regression_model();
  const auto initial = snapshot(*model);
  Trainer trainer(model, args, regression_data(GetParam()), nullptr, nullptr, std::nullopt);
  const TrainOutput result = trainer.train();
  EXPECT_EQ(result.global_step, kEpochs * kStepsPerEpoch);
  // The poisoned example is in exactly one batch of every epoch.
  EXPECT_EQ(trainer.state().skipped_steps, kEpochs);
  EXPECT_EQ(result.metrics.at("train_skipped_steps").get<int64_t>(), kEpochs);
  EXPECT_TRUE(std::isfinite(result.training_loss));
  const auto final_weights = snapshot(*model);
  EXPECT_TRUE(all_finite(final_weights));
  EXPECT_FALSE(torch::equal(initial.at("classifier.weight"), final_weights.at("classifier.weight")))
      << "the other steps must still train";
  for (const auto& dir : list_checkpoints((root / "out").string())) EXPECT_NO_THROW(verify_checkpoint(dir)) << dir;
  EXPECT_EQ(list_checkpoints((root / "out").string()).size(), static_cast<size_t>(kEpochs * kStepsPerEpoch));
}

INSTANTIATE_TEST_SUITE_P(NaNAndInf, NonFiniteLoss, ::testing::Values(kNaN, kInf),
                         [](const auto& info) { return std::isnan(info.param) ? "NaN" : "Inf"; });

// ---- a non-finite gradient with a finite loss ---------------------------------------------------------

// Replaces the gradient of classifier.weight by `value` in the backward pass of optimizer step `step`
// (one micro-batch per step): the loss stays finite, only the gradient is poisoned.
void poison_gradient_at(model::BertImpl& model, int64_t step, double value) {
  auto calls = std::make_shared<int64_t>(0);
  model.named_parameters(true)["classifier.weight"].register_hook([calls, step, value](torch::Tensor grad) {
    return ++*calls == step ? torch::full_like(grad, value) : grad;
  });
}

struct GradientCase {
  double value;
  double max_grad_norm;  // 0 = no clipping: the norm must still be checked
};

class NonFiniteGradient : public ::testing::TestWithParam<GradientCase> {};

TEST_P(NonFiniteGradient, StopsNamingTheStepAndTheGradientNormWithoutCheckpointingIt) {
  ScratchDir root("grad_stop");
  auto args = faults_args_for(root / "out");
  args.max_grad_norm = GetParam().max_grad_norm;
  model::Bert model = classification_model();
  poison_gradient_at(*model, kPoisonStep, GetParam().value);
  Trainer trainer(model, args, toy::dataset(kSamples, 5), nullptr, nullptr, std::nullopt);
  const std::string message = expect_numerical_error(trainer);
  EXPECT_NE(message.find("step " + std::to_string(kPoisonStep) + ":"), std::string::npos) << message;
  EXPECT_NE(message.find("gradient norm is " + value_text(GetParam().value)), std::string::npos) << message;
  expect_only_good_checkpoints(root / "out");
}

TEST_P(NonFiniteGradient, SkippedStepLeavesTheWeightsOfARunThatStoppedBeforeIt) {
  ScratchDir root("grad_skip");
  auto data = toy::dataset(kSamples, 5);
  auto before = faults_args_for(root / "before");
  before.max_grad_norm = GetParam().max_grad_norm;
  before.max_steps = kPoisonStep - 1;
  model::Bert reference = classification_model();
  Trainer(reference, before, data, nullptr, nullptr, std::nullopt).train();

  auto skipping = faults_args_for(root / "skip");
  skipping.max_grad_norm = GetParam().max_grad_norm;
  skipping.skip_nonfinite_steps = true;
  model::Bert model = classification_model();
  poison_gradient_at(*model, kPoisonStep, GetParam().value);
  {
    auto stop_at_poison = skipping;
    stop_at_poison.max_steps = kPoisonStep;
    Trainer trainer(model, stop_at_poison, data, nullptr, nullptr, std::nullopt);
    trainer.train();
    EXPECT_EQ(trainer.state().skipped_steps, 1);
    expect_same_weights(*reference, *model);
  }
  // ... and the run goes on from there with finite weights.
  skipping.output_dir = (root / "skip_all").string();
  model::Bert full = classification_model();
  poison_gradient_at(*full, kPoisonStep, GetParam().value);
  Trainer trainer(full, skipping, data, nullptr, nullptr, std::nullopt);
  EXPECT_EQ(trainer.train().global_step, kEpochs * kStepsPerEpoch);
  EXPECT_EQ(trainer.state().skipped_steps, 1);
  EXPECT_TRUE(all_finite(snapshot(*full)));
}

INSTANTIATE_TEST_SUITE_P(Cases, NonFiniteGradient,
                         ::testing::Values(GradientCase{kInf, 1.0}, GradientCase{kNaN, 1.0}, GradientCase{kInf, 0.0},
                                           GradientCase{kNaN, 0.0}),
                         [](const auto& info) {
                           return std::string(std::isnan(info.param.value) ? "NaN" : "Inf") +
                                  (info.param.max_grad_norm > 0 ? "Clipped" : "Unclipped");
                         });

// ---- weights that are already poisoned ----------------------------------------------------------------

TEST(PoisonedWeights, AreNeverCheckpointedEvenWhenStepsAreSkipped) {
  ScratchDir root("weights");
  auto args = faults_args_for(root / "out");
  args.skip_nonfinite_steps = true;  // every step is skipped, so only the checkpoint guard can stop the run
  model::Bert model = classification_model();
  {
    torch::NoGradGuard no_grad;
    model->named_parameters(true)["classifier.bias"][0].fill_(kNaN);
  }
  Trainer trainer(model, args, toy::dataset(kSamples, 5), nullptr, nullptr, std::nullopt);
  const std::string message = expect_numerical_error(trainer);
  EXPECT_NE(message.find("step 1: classifier.bias holds NaN or Inf"), std::string::npos) << message;
  EXPECT_TRUE(list_checkpoints((root / "out").string()).empty());
  EXPECT_FALSE(has_hidden_temporaries(root / "out"));
  EXPECT_THROW(trainer.save_model(), NumericalError);
  EXPECT_FALSE(fs::exists(root / "out" / "model.safetensors"));
}

}  // namespace
}  // namespace jpqd::training
