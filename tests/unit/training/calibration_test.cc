// Calibration (training/calibration.h): the subset is the seed's first-epoch draw, the batches hold exactly
// those samples once each, and range initialisation sees them and nothing else.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "compression/build_controller.h"
#include "compression/quantization/quantization_controller.h"
#include "compression/quantization/smooth_quant.h"
#include "training/calibration.h"

namespace jpqd::training {
namespace {

std::shared_ptr<TokenizedDataset> numbered_sentences(int64_t n) {
  // Row i starts with token 5 + i, so a batch's first column names its rows.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(17);
  std::vector<Row> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    Row& r = rows[static_cast<size_t>(i)];
    const int64_t len = 2 + torch::randint(8, {1}, gen).item<int64_t>();
    r.input_ids = {5 + i};
    for (int64_t t = 0; t < len; ++t) r.input_ids.push_back(40 + torch::randint(60, {1}, gen).item<int64_t>());
    r.token_type_ids.assign(r.input_ids.size(), 0);
    r.label = i % 2;
  }
  return std::make_shared<TokenizedDataset>(std::move(rows), TargetKind::kClassLabel, 0, 0);
}

TEST(CalibrationIndices, AreTheFirstSamplesOfTheSeedsFirstEpoch) {
  const auto order = epoch_permutation(50, 7, 0);
  const auto drawn = calibration_indices(50, 12, 7);
  EXPECT_EQ(drawn, std::vector<int64_t>(order.begin(), order.begin() + 12));
  EXPECT_NE(drawn, calibration_indices(50, 12, 8));
  EXPECT_EQ(std::set<int64_t>(drawn.begin(), drawn.end()).size(), 12u);
  EXPECT_EQ(calibration_indices(9, 300, 7).size(), 9u);  // a smaller split gives all it has
}

TEST(CalibrationBatches, HoldExactlyTheRequestedSamplesOnce) {
  const auto data = numbered_sentences(20);
  const std::vector<int64_t> wanted = {13, 2, 19, 7, 0};
  const auto batch_at = calibration_batches(*data, wanted, 2);
  ASSERT_EQ(calibration_batch_count(5, 2), 3);
  std::vector<int64_t> seen, sizes;
  for (int64_t b = 0; b < 3; ++b) {
    const Batch batch = batch_at(b);
    sizes.push_back(batch.inputs.input_ids.size(0));
    for (int64_t r = 0; r < batch.inputs.input_ids.size(0); ++r) seen.push_back(batch.inputs.input_ids[r][0].item<int64_t>() - 5);
  }
  EXPECT_EQ(seen, wanted);
  EXPECT_EQ(sizes, (std::vector<int64_t>{2, 2, 1}));
  EXPECT_THROW(batch_at(3), c10::Error);
}

model::Bert toy_bert() {
  model::BertConfig c = *model::BertConfig::named_shape("bert-tiny");
  c.vocab_size = 100;
  torch::manual_seed(1);
  model::Bert m(c, model::TaskHead::kSequenceClassification);
  // Large value rows make the attention-output inputs vary from sample to sample well above the 0.1 floor
  // of symmetric ranges, so which samples were seen shows in the range.
  torch::NoGradGuard no_grad;
  for (auto& site : compression::smooth_quant_sites(*m)) site.producer->weight.mul_(40.0);
  return m;
}

// max |x| at the input of layer 0's attention output over `indices`, by a pass of its own.
double reference_abs_max(model::BertImpl& m, const TokenizedDataset& data, const std::vector<int64_t>& indices) {
  auto sites = compression::smooth_quant_sites(m);
  sites.resize(1);
  compression::SmoothQuantStatistics stats(sites);
  forward_for_statistics(m, calibration_batch_count(static_cast<int64_t>(indices.size()), 2),
                         calibration_batches(data, indices, 2), torch::kCPU);
  return stats.abs_max(0).max().item<double>();
}

// The range is the float model's over the chosen samples: neither a sample left out nor a weight fake-quantized
// with its uninitialised range (scale 1 would clip the value rows) may change it.
TEST(InitializeRanges, SeesExactlyTheCalibrationSamplesOfTheFloatModel) {
  model::Bert m = toy_bert();
  const auto data = numbered_sentences(16);
  const std::vector<int64_t> wanted = calibration_indices(16, 5, 3);
  std::vector<int64_t> all(16);
  std::iota(all.begin(), all.end(), 0);
  const double expected = reference_abs_max(*m, *data, wanted);
  ASSERT_GT(reference_abs_max(*m, *data, all), expected * 1.001) << "the samples left out must change the range";

  const auto config = compression::CompressionConfig::parse(
      Json::parse(R"({"algorithm": "quantization", "preset": "performance",
                      "initializer": {"range": {"num_init_samples": 5, "type": "min_max"}}})"),
      "test");
  auto controller = compression::build_controller(config, *m, {});
  m->train();
  EXPECT_EQ(initialize_ranges(*controller, *m, 3, calibration_batches(*data, wanted, 2), torch::kCPU), 5);
  EXPECT_TRUE(m->is_training()) << "the training flag is restored";
  const auto* q = dynamic_cast<const compression::QuantizationController*>(controller->find("quantization"));
  ASSERT_NE(q, nullptr);
  EXPECT_TRUE(q->initialized());
  bool found = false;
  for (const auto& e : q->quantizers()) {
    EXPECT_TRUE(e.quantizer->enabled()) << e.placement.name << " still bypassed after calibration";
    if (e.placement.name != "bert.encoder.layer.0.attention.output.dense.input_quantizer") continue;
    found = true;
    EXPECT_NEAR(e.quantizer->scale.item<double>(), expected, expected * 1e-6);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace jpqd::training
