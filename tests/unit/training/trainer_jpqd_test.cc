// The JPQD loop composes its parts independently: every on/off combination of movement sparsity,
// quantization and distillation trains and logs exactly its own losses; the teacher never changes or
// receives a gradient; --bf16 autocast trains.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "common/json_util.h"
#include "compression/config/compression_config.h"
#include "compression/distillation/distillation_loss.h"
#include "training/mixed_precision.h"
#include "training/trainer.h"
#include "toy_task.h"

namespace jpqd::training {
namespace {

namespace fs = std::filesystem;

std::string quantization_json() {
  return R"({"algorithm": "quantization", "preset": "mixed", "overflow_fix": "disable",
             "initializer": {"range": {"num_init_samples": 8, "type": "mean_min_max"}, "batchnorm_adaptation": {"num_bn_adaptation_samples": 0}},
             "ignored_scopes": ["{re}.*__add___[0-1]", "{re}.*layer_norm_0", "{re}.*matmul_1",
                                "{re}.*__truediv__*"]})";
}

std::optional<compression::CompressionConfig> config_for(bool movement, bool quantization) {
  std::vector<std::string> parts;
  if (movement) parts.push_back(toy::movement_sparsity_json());
  if (quantization) parts.push_back(quantization_json());
  if (parts.empty()) return std::nullopt;
  std::string list = "[";
  for (size_t i = 0; i < parts.size(); ++i) list += (i ? "," : "") + parts[i];
  return compression::CompressionConfig::parse(Json::parse(list + "]"), "test");
}

TrainingArguments jpqd_args_for(const fs::path& dir) {
  TrainingArguments a;
  a.output_dir = dir.string();
  a.per_device_train_batch_size = 4;
  a.learning_rate = 3e-3;
  a.num_train_epochs = 4;
  a.logging_steps = 1;
  a.save_strategy = IntervalStrategy::kNo;
  a.seed = 5;
  a.threads = 1;
  a.disable_tqdm = true;
  return a;
}

model::Bert make_teacher() {
  torch::manual_seed(77);
  model::BertConfig c = toy::config();
  c.num_hidden_layers = 3;  // deeper than the student, as a teacher may be
  return model::Bert(c, model::TaskHead::kSequenceClassification);
}

// An empty per-process scratch directory under the system's temporary directory.
fs::path fresh_dir(const std::string& name) {
  const auto dir = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

// The toy classifier every test starts from (same seed, so the same weights).
model::Bert make_student() {
  torch::manual_seed(3);
  return model::Bert(toy::config(), model::TaskHead::kSequenceClassification);
}

class EveryCombination : public ::testing::TestWithParam<std::tuple<bool, bool, bool>> {};

TEST_P(EveryCombination, TrainsAndLogsItsOwnLosses) {
  const auto [movement, quantization, distillation] = GetParam();
  const auto dir = fs::temp_directory_path() /
                   ("jpqd_combo_" + std::to_string(::getpid()) + "_" + std::to_string(movement) +
                    std::to_string(quantization) + std::to_string(distillation));
  fs::remove_all(dir);
  torch::manual_seed(3);
  model::Bert student(toy::config(), model::TaskHead::kSequenceClassification);
  const auto before = toy::snapshot(*student, false);
  model::Bert teacher = distillation ? make_teacher() : model::Bert(nullptr);
  Trainer trainer(student, jpqd_args_for(dir), toy::dataset(24, 5), nullptr, nullptr, std::nullopt,
                  config_for(movement, quantization), teacher);
  trainer.train();

  const Json& history = trainer.state().log_history;
  ASSERT_GE(history.size(), 2u);
  const Json& first = history.front();
  EXPECT_EQ(first.contains("distillation_loss"), distillation) << first.dump();
  EXPECT_EQ(first.contains("compression_loss"), movement || quantization) << first.dump();
  for (const auto& entry : history)
    if (entry.contains("loss")) {
      EXPECT_TRUE(std::isfinite(entry["loss"].get<double>())) << entry.dump();
    }

  size_t changed = 0;
  const auto after = toy::snapshot(*student, false);
  for (const auto& [name, tensor] : before)
    if (!torch::equal(tensor, after.at(name))) ++changed;
  EXPECT_GT(changed, before.size() / 2) << "most student weights should have been trained";

  auto* controller = trainer.controller();
  ASSERT_EQ(controller != nullptr, movement || quantization);
  if (controller) {
    const std::string stats = controller->statistics().dump();
    EXPECT_EQ(stats.find("movement_sparsity") != std::string::npos, movement) << stats;
    EXPECT_EQ(stats.find("quantization") != std::string::npos, quantization) << stats;
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(MovementQuantizationDistillation, EveryCombination,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool(), ::testing::Bool()));

TEST(Distillation, TeacherNeitherChangesNorReceivesAGradient) {
  const auto dir = fresh_dir("jpqd_teacher");
  model::Bert student = make_student();
  model::Bert teacher = make_teacher();
  teacher->train();  // the trainer must put it in eval mode itself
  const auto before = toy::snapshot(*teacher, false);
  Trainer trainer(student, jpqd_args_for(dir), toy::dataset(24, 5), nullptr, nullptr, std::nullopt,
                  config_for(true, true), teacher);
  trainer.train();
  EXPECT_FALSE(teacher->is_training());
  for (const auto& p : teacher->named_parameters(true)) {
    EXPECT_FALSE(p.value().requires_grad()) << p.key();
    EXPECT_FALSE(p.value().grad().defined()) << p.key() << " received a gradient";
    EXPECT_TRUE(torch::equal(p.value(), before.at(p.key()))) << p.key() << " changed";
  }
  fs::remove_all(dir);
}

// Logged losses are rounded to 4 decimals; a sum of three rounded figures is off by at most
// 0.5e-4 * (1 + 0.75 + 0.25).
constexpr double kLoggedSumRounding = 1e-4 + 1e-9;

TEST(Distillation, LossIsTheWeightedSumOfTaskAndDistillation) {
  const auto dir = fresh_dir("jpqd_kd_weight");
  model::Bert student = make_student();
  auto args = jpqd_args_for(dir);
  args.distillation_weight = 0.25;  // not 0.5, where swapped weights would go unnoticed
  args.max_steps = 3;
  Trainer trainer(student, args, toy::dataset(24, 5), nullptr, nullptr, std::nullopt, std::nullopt, make_teacher());
  trainer.train();
  int checked = 0;
  for (const auto& entry : trainer.state().log_history) {
    if (!entry.contains("loss")) continue;
    const double task = entry["task_loss"].get<double>(), kd = entry["distillation_loss"].get<double>();
    EXPECT_GT(std::abs(task - kd), 1e-2) << "task and distillation losses must differ for the check to mean anything";
    EXPECT_NEAR(entry["loss"].get<double>(), 0.75 * task + 0.25 * kd, kLoggedSumRounding) << entry.dump();
    ++checked;
  }
  EXPECT_EQ(checked, 3);
  fs::remove_all(dir);
}

TEST(Distillation, QuestionAnsweringAveragesTheStartAndEndTerms) {
  const auto dir = fs::temp_directory_path() / ("jpqd_kd_qa_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  model::BertConfig c = toy::config();
  c.hidden_dropout_prob = 0.0;  // deterministic forwards, so the first step's loss can be recomputed here
  c.attention_probs_dropout_prob = 0.0;
  torch::manual_seed(3);
  model::Bert student(c, model::TaskHead::kQuestionAnswering);
  c.num_hidden_layers = 3;
  model::Bert teacher(c, model::TaskHead::kQuestionAnswering);
  std::vector<Row> rows(4);
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].input_ids = {2, 11 + static_cast<int64_t>(i), 20, 21, 22, 3};
    rows[i].token_type_ids.assign(rows[i].input_ids.size(), 0);
    rows[i].start_position = 2;
    rows[i].end_position = 3;
  }
  auto data = std::make_shared<TokenizedDataset>(std::move(rows), TargetKind::kSpan, 0, 0);

  // The whole dataset is the one batch of the first step; batch-mean KL does not depend on its order.
  const Batch batch = data->batch({0, 1, 2, 3});
  double expected = 0.0;
  {
    torch::NoGradGuard no_grad;
    const auto s = student->forward(batch.inputs), t = teacher->forward(batch.inputs);
    const double start = compression::distillation_loss(s.start_logits, t.start_logits, 2.0).item<double>();
    const double end = compression::distillation_loss(s.end_logits, t.end_logits, 2.0).item<double>();
    // Logging only the start (or end) term would be off by |start - end| / 2: well above the rounding.
    EXPECT_GT(std::abs(start - end) / 2, 4 * 0.5e-4) << "near-equal terms would hide a missing average";
    expected = (start + end) / 2;
  }
  auto args = jpqd_args_for(dir);
  args.max_steps = 1;
  Trainer trainer(student, args, data, nullptr, nullptr, std::nullopt, std::nullopt, teacher);
  trainer.train();
  const Json& first = trainer.state().log_history.front();
  EXPECT_NEAR(first["distillation_loss"].get<double>(), expected, 0.5e-4 + 1e-9) << first.dump();
  fs::remove_all(dir);
}

TEST(MovementStatistics, EveryEpochEndLogsThePerLayerTable) {
  const auto dir = fresh_dir("jpqd_epoch_stats");
  model::Bert student = make_student();
  auto args = jpqd_args_for(dir);
  args.logging_steps = 1000;  // no step logs: whatever carries statistics comes from the epoch ends
  Trainer trainer(student, args, toy::dataset(24, 5), nullptr, nullptr, std::nullopt, config_for(true, false));
  trainer.train();
  std::vector<double> epochs;
  for (const auto& entry : trainer.state().log_history) {
    if (!entry.contains("compression/movement_sparsity/layers")) continue;
    epochs.push_back(entry["epoch"].get<double>());
    EXPECT_TRUE(entry.contains("compression/movement_sparsity/linear_layer_sparsity")) << entry.dump();
    const Json& layers = entry["compression/movement_sparsity/layers"];
    // 2 layers x (query, key, value, attention output, intermediate, output).
    ASSERT_EQ(layers.size(), 12u) << layers.dump();
    for (const auto& row : layers) {
      EXPECT_TRUE(row.contains("name") && row.contains("sparsity_level")) << row.dump();
      EXPECT_GE(row["sparsity_level"].get<double>(), 0.0);
      EXPECT_LE(row["sparsity_level"].get<double>(), 1.0);
    }
  }
  EXPECT_EQ(epochs, (std::vector<double>{1, 2, 3, 4}));
  fs::remove_all(dir);
}

TEST(MovementSchedule, AWarmupBeyondTheTrainingEpochsIsRejectedBeforeTraining) {
  const auto dir = fresh_dir("jpqd_short_run");
  model::Bert student = make_student();
  auto args = jpqd_args_for(dir);
  args.num_train_epochs = 2;  // the toy warm-up ends with epoch 3
  try {
    Trainer trainer(student, args, toy::dataset(24, 5), nullptr, nullptr, std::nullopt, config_for(true, false));
    FAIL() << "expected the warm-up to be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("warmup_end_epoch: 3 is beyond the 2 training epochs"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(dir));
}

TEST(MovementSchedule, MaxStepsThatCutTheWarmupShortTrainWithAWarning) {
  const auto dir = fresh_dir("jpqd_max_steps");
  model::Bert student = make_student();
  auto args = jpqd_args_for(dir);
  args.max_steps = 12;  // 24 samples in batches of 4: two epochs, but the warm-up ends with epoch 3
  ::testing::internal::CaptureStderr();
  Trainer trainer(student, args, toy::dataset(24, 5), nullptr, nullptr, std::nullopt, config_for(true, false));
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("--max_steps ends training in epoch 2, before warmup_end_epoch 3"), std::string::npos) << log;
  trainer.train();
  EXPECT_EQ(trainer.state().global_step, 12);
  fs::remove_all(dir);
}

TEST(MixedPrecision, Bf16AutocastTrainsCloseToFloat32) {
  if (!cpu_has_native_bf16()) GTEST_SKIP() << "this CPU has no AVX512-BF16: --bf16 falls back to float32";
  auto run = [](bool bf16, const fs::path& dir) {
    torch::manual_seed(3);
    model::Bert m(toy::config(), model::TaskHead::kSequenceClassification);
    TrainingArguments a = jpqd_args_for(dir);
    a.bf16 = bf16;
    a.max_steps = 3;
    Trainer t(m, a, toy::dataset(24, 5), nullptr, nullptr, std::nullopt);
    EXPECT_EQ(t.bf16_autocast(), bf16);
    t.train();
    return toy::snapshot(*m, false);
  };
  const auto root = fs::temp_directory_path() / ("jpqd_bf16_" + std::to_string(::getpid()));
  const auto fp32 = run(false, root / "fp32");
  const auto bf16 = run(true, root / "bf16");
  size_t differ = 0;
  for (const auto& [name, w] : fp32) {
    const auto& v = bf16.at(name);
    if (!torch::equal(w, v)) ++differ;
    // bf16 keeps 8 significant bits: three steps move the weights apart by far less than they are.
    EXPECT_LT((w - v).norm().item<double>(), 0.05 * w.norm().item<double>() + 1e-3) << name;
  }
  EXPECT_GT(differ, fp32.size() / 2) << "bf16 autocast did not change the arithmetic";
  fs::remove_all(root);
}

TEST(MixedPrecision, Bf16AutocastRunsTheWholeJpqdStep) {
  if (!cpu_has_native_bf16()) GTEST_SKIP() << "this CPU has no AVX512-BF16: --bf16 falls back to float32";
  const auto dir = fs::temp_directory_path() / ("jpqd_bf16_jpqd_" + std::to_string(::getpid()));
  torch::manual_seed(3);
  model::Bert student(toy::config(), model::TaskHead::kSequenceClassification);
  TrainingArguments a = jpqd_args_for(dir);
  a.fp16 = true;  // the seed's flag: bf16 autocast on a CPU
  Trainer trainer(student, a, toy::dataset(24, 5), nullptr, nullptr, std::nullopt, config_for(true, true),
                  make_teacher());
  ASSERT_TRUE(trainer.bf16_autocast());
  trainer.train();
  for (const auto& entry : trainer.state().log_history)
    for (const char* key : {"loss", "task_loss", "distillation_loss", "compression_loss"})
      if (entry.contains(key)) {
        EXPECT_TRUE(std::isfinite(entry[key].get<double>())) << entry.dump();
      }
  for (const auto& p : student->named_parameters(true))
    EXPECT_EQ(p.value().scalar_type(), torch::kFloat) << p.key() << ": master weights stay float32";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace jpqd::training
