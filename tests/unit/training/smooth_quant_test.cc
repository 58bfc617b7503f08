// SmoothQuant (compression/quantization/smooth_quant.h): the scales are NNCF's, the folded FP32 model computes
// the same function on every family, and the rescaled Linear inputs are the old ones divided by the scales.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <limits>

#include "compression/quantization/smooth_quant.h"
#include "training/calibration.h"

namespace jpqd::compression {
namespace {

// Outputs before and after folding agree to float32 rounding of the rescaled weights.
constexpr double kFoldedRelativeError = 1e-5;

model::BertConfig tiny(const std::string& shape, const std::string& hidden_act = "gelu") {
  model::BertConfig c = *model::BertConfig::named_shape(shape);
  c.vocab_size = 100;
  c.hidden_act = hidden_act;
  c.set_num_labels(3);
  return c;
}

// Sentences of 3..12 tokens from ids 5..99 (clear of every family's special and padding ids), padded per batch.
std::shared_ptr<training::TokenizedDataset> sentences(int64_t n, int64_t pad_id, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<training::Row> rows(static_cast<size_t>(n));
  for (auto& r : rows) {
    const int64_t len = 3 + torch::randint(10, {1}, gen).item<int64_t>();
    const auto ids = torch::randint(5, 100, {len}, gen);
    r.input_ids.assign(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + len);
    r.token_type_ids.assign(static_cast<size_t>(len), 0);
    r.label = 0;
  }
  return std::make_shared<training::TokenizedDataset>(std::move(rows), training::TargetKind::kClassLabel, 0, pad_id);
}

// Sharpens a few input channels of every site, as real activation outliers are: otherwise the scales of a
// freshly initialised model are nearly flat and a wrong fold could hide inside them.
void add_outlier_channels(const std::vector<SmoothQuantSite>& sites) {
  torch::NoGradGuard no_grad;
  for (const auto& site : sites) {
    site.producer->weight.narrow(0, 1, 2).mul_(30.0);
    if (site.producer->bias.defined()) site.producer->bias.narrow(0, 1, 2).add_(5.0);
  }
}

torch::Tensor logits(model::BertImpl& m, const training::Batch& batch) {
  torch::NoGradGuard no_grad;
  m.eval();
  return m.forward(batch.inputs).logits.to(torch::kFloat64);
}

double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).norm() / b.norm()).item<double>();
}

struct FoldCase {
  std::string shape;
  std::string hidden_act;
  std::vector<std::string> expected_sites;  // suffixes of the consumers' names
};

class SmoothQuantFold : public ::testing::TestWithParam<FoldCase> {};

TEST_P(SmoothQuantFold, KeepsTheFp32FunctionAndDividesTheInputsByTheScales) {
  const FoldCase& c = GetParam();
  torch::manual_seed(3);
  model::Bert model(tiny(c.shape, c.hidden_act), model::TaskHead::kSequenceClassification);
  model->eval();
  std::vector<SmoothQuantSkip> skipped;
  auto sites = smooth_quant_sites(*model, &skipped);
  ASSERT_EQ(sites.size(), c.expected_sites.size());
  for (size_t i = 0; i < sites.size(); ++i)
    EXPECT_NE(sites[i].name.find(c.expected_sites[i]), std::string::npos) << sites[i].name;
  EXPECT_FALSE(skipped.empty());
  add_outlier_channels(sites);

  const auto data = sentences(24, model->config().pad_token_id, 11);
  std::vector<int64_t> all(24);
  std::iota(all.begin(), all.end(), 0);
  const auto batches = training::calibration_batches(*data, all, 8);
  const training::Batch probe = data->batch({0, 5, 9, 17});
  const torch::Tensor before = logits(*model, probe);

  std::vector<torch::Tensor> old_max, scales;
  {
    SmoothQuantStatistics stats(sites);
    EXPECT_EQ(training::forward_for_statistics(*model, 3, batches, torch::kCPU), 24);
    for (size_t i = 0; i < sites.size(); ++i) {
      old_max.push_back(stats.abs_max(i));
      scales.push_back(smooth_quant_scales(stats.abs_max(i), sites[i].consumer->weight, 0.5));
      // Outliers made the scales uneven: the fold is not close to the identity.
      EXPECT_GT((scales.back().max() / scales.back().min()).item<double>(), 4.0) << sites[i].name;
      fold_smooth_quant_scales(sites[i], scales.back());
    }
  }
  for (const auto& site : sites) EXPECT_TRUE(site.consumer->input_hooks().empty()) << "statistics hook left behind";
  EXPECT_LT(relative_error(logits(*model, probe), before), kFoldedRelativeError);

  SmoothQuantStatistics after(sites);
  training::forward_for_statistics(*model, 3, batches, torch::kCPU);
  for (size_t i = 0; i < sites.size(); ++i)
    EXPECT_TRUE(torch::allclose(after.abs_max(i), old_max[i] / scales[i], 1e-4, 1e-7)) << sites[i].name;
}

INSTANTIATE_TEST_SUITE_P(
    Families, SmoothQuantFold,
    ::testing::Values(FoldCase{"bert-tiny", "gelu", {"0.attention.output.dense", "1.attention.output.dense"}},
                      FoldCase{"bert-tiny", "relu",
                               {"0.attention.output.dense", "0.output.dense", "1.attention.output.dense",
                                "1.output.dense"}},
                      FoldCase{"roberta-tiny", "gelu", {"0.attention.output.dense", "1.attention.output.dense"}},
                      FoldCase{"distilbert-tiny", "gelu", {"0.attention.out_lin", "1.attention.out_lin", "classifier"}}),
    [](const auto& info) {
      std::string name = info.param.shape + "_" + info.param.hidden_act;
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

TEST(SmoothQuantScales, AreNncfsClippedRatio) {
  // Statistics below 1e-5 count as 1e-5; the scales are clipped to [their 10th percentile, 100].
  const torch::Tensor x = torch::tensor({1.0, 4.0, 9.0, 1e6, 0.0}, torch::kFloat64);
  const torch::Tensor w = torch::tensor({{1.0, -1.0, 0.5, 1.0, 1.0}, {-0.5, 0.25, -1.0, 0.0, 0.0}}, torch::kFloat64);
  const double eps = std::numeric_limits<float>::epsilon();
  // alpha 0.5, weight column maxima all 1: raw scales sqrt(x) / (1 + eps) = 1, 2, 3, 1000, sqrt(1e-5).
  std::vector<double> raw = {1.0, 2.0, 3.0, 1000.0, std::sqrt(1e-5)};
  for (double& r : raw) r /= 1 + eps;
  // numpy's linear 10th percentile of 5 values: 0.4 of the way from the smallest to the next.
  const double low = raw[4] + 0.4 * (raw[0] - raw[4]);
  const std::vector<double> expected = {raw[0], raw[1], raw[2], 100.0, low};
  const torch::Tensor s = smooth_quant_scales(x, w, 0.5);
  ASSERT_EQ(s.size(0), 5);
  for (int64_t j = 0; j < 5; ++j) EXPECT_NEAR(s[j].item<double>(), expected[static_cast<size_t>(j)], 1e-12) << j;

  // alpha 1 ignores the weights, alpha 0 the activations (up to the clipping).
  const torch::Tensor a1 = smooth_quant_scales(torch::tensor({2.0, 3.0}, torch::kFloat64),
                                               torch::tensor({{7.0, 0.1}}, torch::kFloat64), 1.0);
  EXPECT_NEAR(a1[1].item<double>(), 3.0 / (1 + eps), 1e-12);
  const torch::Tensor a0 = smooth_quant_scales(torch::tensor({2.0, 3.0}, torch::kFloat64),
                                               torch::tensor({{4.0, 0.5}}, torch::kFloat64), 0.0);
  EXPECT_NEAR(a0[1].item<double>(), 1.0 / (0.5 + eps), 1e-12);
}

TEST(SmoothQuantSites, NameWhyTheOtherLinearsAreLeftAlone) {
  model::Bert model(tiny("bert-tiny"), model::TaskHead::kSequenceClassification);
  std::vector<SmoothQuantSkip> skipped;
  const auto sites = smooth_quant_sites(*model, &skipped);
  EXPECT_EQ(sites.size() + skipped.size(), 2u * 6 + 2);  // every Linear of bert-tiny, pooler and classifier
  for (const auto& site : sites) EXPECT_NE(site.producer_name.find("attention.self.value"), std::string::npos);
  bool query = false, ffn_out = false;
  for (const auto& s : skipped) {
    if (s.name == "bert.encoder.layer.0.attention.self.query") {
      query = true;
      EXPECT_NE(s.reason.find("residual"), std::string::npos) << s.reason;
    }
    if (s.name == "bert.encoder.layer.1.output.dense") {
      ffn_out = true;
      EXPECT_NE(s.reason.find("gelu"), std::string::npos) << s.reason;
    }
  }
  EXPECT_TRUE(query && ffn_out);
}

TEST(SmoothQuantApply, FoldsEverySiteThatSawDataAndReportsIt) {
  torch::manual_seed(5);
  model::Bert model(tiny("bert-tiny"), model::TaskHead::kSequenceClassification);
  auto sites = smooth_quant_sites(*model);
  const torch::Tensor value_before = sites[0].producer->weight.clone();
  const auto data = sentences(8, 0, 2);
  Json report;
  {
    SmoothQuantStatistics stats(sites);
    training::forward_for_statistics(*model, 1, training::calibration_batches(*data, {0, 1, 2, 3, 4, 5, 6, 7}, 8),
                                     torch::kCPU);
    report = apply_smooth_quant(stats, 0.95);
  }
  ASSERT_EQ(report.size(), sites.size());
  EXPECT_EQ(report[0]["producer"], sites[0].producer_name);
  EXPECT_LE(report[0]["scale_max"].get<double>(), kSmoothQuantScaleCeiling);
  EXPECT_FALSE(torch::equal(value_before, sites[0].producer->weight));
}

}  // namespace
}  // namespace jpqd::compression
