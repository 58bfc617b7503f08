// The compression report's numbers come from the run directory: sparsity points from log_history and the
// warm-up / structured-masking steps from the compression config times the measured steps per epoch.
#include "export/report/report_data.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/file_io.h"

namespace jpqd::exporter {
namespace {

namespace fs = std::filesystem;

const char* kTrainerState = R"({
  "log_history": [
    {"step": 10, "compression/movement_sparsity/linear_layer_sparsity": 0.0, "compression/movement_sparsity/model_sparsity": 0.0},
    {"step": 20, "loss": 0.5},
    {"step": 30, "compression/movement_sparsity/linear_layer_sparsity": 0.7, "compression/movement_sparsity/model_sparsity": 0.2}
  ],
  "compression_state": {"movement_sparsity": {"steps_per_epoch": 12, "structured_done": true}}
})";

const char* kMovement = R"({"algorithm": "movement_sparsity", "params": {"warmup_start_epoch": 2, "warmup_end_epoch": 5}})";

ReportData gather_with(const std::string& compression_config) {
  const auto dir = fs::temp_directory_path() / ("jpqd_report_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_file_atomically((dir / "trainer_state.json").string(), kTrainerState);
  write_file_atomically((dir / "compression_config.json").string(), compression_config);
  ReportData data = gather_report_data(dir.string());
  fs::remove_all(dir);
  return data;
}

void expect_warmup_steps(const ReportData& d) {
  ASSERT_TRUE(d.warmup_start_step.has_value());
  ASSERT_TRUE(d.warmup_end_step.has_value());
  EXPECT_EQ(*d.warmup_start_step, 24);  // epoch 2 x 12 steps
  EXPECT_EQ(*d.warmup_end_step, 60);    // epoch 5 x 12 steps
}

TEST(ReportData, WarmupStepsFromASingleAlgorithmConfig) { expect_warmup_steps(gather_with(kMovement)); }

TEST(ReportData, WarmupStepsFromAListAndFromACompressionKey) {
  const std::string quantization = R"({"algorithm": "quantization"})";
  expect_warmup_steps(gather_with("[" + quantization + "," + kMovement + "]"));
  expect_warmup_steps(gather_with(std::string(R"({"compression": [)") + kMovement + "]}"));
}

TEST(ReportData, SparsityPointsAreTheLoggedOnes) {
  const ReportData d = gather_with(kMovement);
  ASSERT_EQ(d.sparsity.size(), 2u);
  EXPECT_EQ(d.sparsity[1].step, 30);
  EXPECT_DOUBLE_EQ(d.sparsity[1].linear_layer_sparsity, 0.7);
  EXPECT_DOUBLE_EQ(d.sparsity[1].model_sparsity, 0.2);
}

TEST(ReportData, NoWarmupMarksWithoutMovementSparsity) {
  const ReportData d = gather_with(R"({"algorithm": "quantization"})");
  EXPECT_FALSE(d.warmup_start_step.has_value());
}

}  // namespace
}  // namespace jpqd::exporter
