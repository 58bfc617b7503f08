// Range initialisation statistics against numpy (tests/fixtures/quantization/make_range_init_reference.py,
// run with Debian's python3 + numpy; its output is committed) and the init formulas against hand values.
// The "nncf_kinds" vectors follow NNCF's collectors per quantizer kind (docs/algorithms.md 3.3), also across
// data-parallel ranks and through the quantizers and controller that use them.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include "common/json_util.h"
#include "compression/quantization/build_quantization.h"
#include "compression/quantization/range_statistics.h"
#include "quantization_test_configs.h"
#include "quantization_test_graph.h"

namespace jpqd::compression {
namespace {

constexpr double kStatTolerance = 1e-9;  // absolute; statistics are computed in float64 on float32 data

Json reference() {
  return read_json_file(std::string(JPQD_SOURCE_DIR) + "/tests/fixtures/quantization/range_init_reference.json");
}

torch::Tensor to_tensor(const Json& rows) {
  std::vector<float> flat;
  for (const auto& r : rows)
    for (const auto& v : r) flat.push_back(v.get<float>());
  return torch::tensor(flat).reshape({static_cast<int64_t>(rows.size()), -1});
}

void expect_values(const torch::Tensor& got, const Json& expected, const std::string& what) {
  ASSERT_EQ(got.numel(), static_cast<int64_t>(expected.size())) << what;
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(got[i].item<double>(), expected[i].get<double>(), kStatTolerance) << what << "[" << i << "]";
}

void check_type(RangeInitType type, const std::string& key) {
  const Json ref = reference();
  for (bool per_channel : {false, true}) {
    RangeStatistics stats(type, 0.0, 100.0, per_channel);
    for (const auto& b : ref["batches"]) stats.add(to_tensor(b));
    auto [min, max] = stats.min_max();
    const Json& e = ref[per_channel ? "per_channel" : "per_tensor"];
    expect_values(min, e[key]["min"], key + " min");
    expect_values(max, e[key]["max"], key + " max");
  }
}

TEST(QuantizationRangeInit, MinMaxMatchesNumpy) { check_type(RangeInitType::kMinMax, "min_max"); }

TEST(QuantizationRangeInit, MeanMinMaxMatchesNumpy) { check_type(RangeInitType::kMeanMinMax, "mean_min_max"); }

TEST(QuantizationRangeInit, PercentileMatchesNumpyOverAllValues) {
  const Json ref = reference();
  const std::vector<std::pair<double, double>> pairs = {{0.01, 99.99}, {10.0, 37.5}};
  for (bool per_channel : {false, true}) {
    for (auto [lo_q, hi_q] : pairs) {
      RangeStatistics stats(RangeInitType::kPercentile, lo_q, hi_q, per_channel);
      for (const auto& b : ref["batches"]) stats.add(to_tensor(b));
      auto [min, max] = stats.min_max();
      const Json& e = ref[per_channel ? "per_channel" : "per_tensor"]["percentile"];
      auto key = [](double q) {
        std::ostringstream s;
        s << q;
        std::string k = s.str();
        return k.find('.') == std::string::npos ? k + ".0" : k;  // Python's repr of a float
      };
      expect_values(min, e[key(lo_q)], "percentile " + key(lo_q));
      expect_values(max, e[key(hi_q)], "percentile " + key(hi_q));
    }
  }
}

// Hand case: sorted 0..9, q = 25 -> position 2.25 -> 2.25; q = 95 -> position 8.55 -> 8.55.
TEST(QuantizationRangeInit, PercentileLinearHandValues) {
  const auto v = torch::tensor({9.f, 3.f, 0.f, 7.f, 1.f, 5.f, 2.f, 8.f, 4.f, 6.f}).reshape({1, 10});
  EXPECT_NEAR(percentile_linear(v, 25).item<double>(), 2.25, kStatTolerance);
  EXPECT_NEAR(percentile_linear(v, 95).item<double>(), 8.55, kStatTolerance);
  EXPECT_NEAR(percentile_linear(v, 0).item<double>(), 0.0, kStatTolerance);
  EXPECT_NEAR(percentile_linear(v, 100).item<double>(), 9.0, kStatTolerance);
}

// scale = max(|min|, |max|) per channel, each channel floored at 0.1 on its own.
TEST(QuantizationRangeInit, SymmetricInitFloorsEachChannelAtPointOne) {
  const auto min = torch::tensor({-0.05, -2.0, 0.01, -0.1}, torch::kDouble);
  const auto max = torch::tensor({0.08, 1.0, 3.0, 0.02}, torch::kDouble);
  auto [scale, is_signed] = symmetric_init(min, max, std::nullopt);
  EXPECT_TRUE(is_signed);
  EXPECT_TRUE(torch::allclose(scale, torch::tensor({0.1, 2.0, 3.0, 0.1}, torch::kDouble)));
  EXPECT_FALSE(symmetric_init(torch::tensor({0.0, 0.5}, torch::kDouble), max.slice(0, 0, 2), std::nullopt).second);
  EXPECT_TRUE(symmetric_init(torch::tensor({0.0, 0.5}, torch::kDouble), max.slice(0, 0, 2), true).second);
  EXPECT_FALSE(symmetric_init(min, max, false).second);
}

// ranges [4, 0.02, 0], max range 4 -> clamped to [4, 0.04, 0.04], corrections [0, 0.01, 0.02].
TEST(QuantizationRangeInit, AsymmetricInitWidensTinyRanges) {
  const auto min = torch::tensor({-1.0, 0.0, 2.0}, torch::kDouble);
  const auto max = torch::tensor({3.0, 0.02, 2.0}, torch::kDouble);
  auto [low, range] = asymmetric_init(min, max);
  EXPECT_TRUE(torch::allclose(range, torch::tensor({4.0, 0.04, 0.04}, torch::kDouble)));
  EXPECT_TRUE(torch::allclose(low, torch::tensor({-1.0, -0.01, 1.98}, torch::kDouble)));
}

// --- NNCF's statistics per quantizer kind -----------------------------------------------------------------------

// A nested JSON list of numbers as a float tensor of the same shape.
torch::Tensor nested_tensor(const Json& j) {
  std::vector<int64_t> shape;
  for (const Json* level = &j; level->is_array(); level = &(*level)[0]) shape.push_back(static_cast<int64_t>(level->size()));
  std::vector<float> flat;
  std::function<void(const Json&)> walk = [&](const Json& v) {
    if (v.is_array()) {
      for (const auto& e : v) walk(e);
    } else {
      flat.push_back(v.get<float>());
    }
  };
  walk(j);
  return torch::tensor(flat).reshape(shape);
}

const Json& kinds() {
  static const Json k = reference()["nncf_kinds"];
  return k;
}

std::vector<torch::Tensor> activation_batches() {
  std::vector<torch::Tensor> out;
  for (const auto& b : kinds()["activation_batches"]) out.push_back(nested_tensor(b));
  return out;
}

RangeInitType type_of(const Json& c) {
  return c["type"] == "mixed_min_max" ? RangeInitType::kMixedMinMax : RangeInitType::kMeanMinMax;
}

QuantizationMode mode_of(const Json& c) {
  return c["symmetric"].get<bool>() ? QuantizationMode::kSymmetric : QuantizationMode::kAsymmetric;
}

RangeStatistics statistics_for(const Json& c) {
  return RangeStatistics(type_of(c), 0.1, 99.9, c["per_channel"].get<bool>(), c["is_weights"].get<bool>(), mode_of(c));
}

std::vector<torch::Tensor> data_for(const Json& c) {
  return c["is_weights"].get<bool>() ? std::vector<torch::Tensor>{nested_tensor(kinds()["weight"])}
                                     : activation_batches();
}

TEST(QuantizationRangeInit, NncfKindsMatchNumpy) {
  ASSERT_GE(kinds()["cases"].size(), 7u);
  for (const auto& [name, c] : kinds()["cases"].items()) {
    RangeStatistics stats = statistics_for(c);
    for (const auto& x : data_for(c)) stats.add(x);
    const auto [min, max] = stats.min_max();
    expect_values(min, c["min"], name + " min");
    expect_values(max, c["max"], name + " max");
    if (c["symmetric"].get<bool>()) {
      const auto [scale, is_signed] = symmetric_init(min, max, std::nullopt);
      expect_values(scale, c["scale"], name + " scale");
      EXPECT_EQ(is_signed, c["signed"].get<bool>()) << name;
    } else {
      const auto [low, range] = asymmetric_init(min, max);
      expect_values(low, c["input_low"], name + " input_low");
      expect_values(range, c["input_range"], name + " input_range");
    }
  }
}

// Ranks as threads: every call blocks until all ranks made it, then each gets the combination.
class ThreadRanks {
 public:
  explicit ThreadRanks(int world) : world_(world), inputs_(static_cast<size_t>(world)) {}

  torch::Tensor exchange(int rank, const torch::Tensor& t,
                         const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& combine) {
    std::unique_lock<std::mutex> lock(mutex_);
    const int64_t round = round_;
    inputs_[static_cast<size_t>(rank)] = t.clone();
    if (++arrived_ == world_) {
      result_ = combine(inputs_);
      arrived_ = 0;
      ++round_;
      done_.notify_all();
    } else {
      done_.wait(lock, [&] { return round_ != round; });
    }
    return result_.clone();
  }

 private:
  int world_, arrived_ = 0;
  int64_t round_ = 0;
  std::vector<torch::Tensor> inputs_;
  torch::Tensor result_;
  std::mutex mutex_;
  std::condition_variable done_;
};

class ThreadCollectives : public Collectives {
 public:
  ThreadCollectives(ThreadRanks& ranks, int rank) : ranks_(ranks), rank_(rank) {}
  void all_reduce_min(torch::Tensor& t) override {
    t.copy_(ranks_.exchange(rank_, t, [](const auto& all) { return std::get<0>(torch::stack(all).min(0)); }));
  }
  void all_reduce_max(torch::Tensor& t) override {
    t.copy_(ranks_.exchange(rank_, t, [](const auto& all) { return std::get<0>(torch::stack(all).max(0)); }));
  }
  torch::Tensor all_gather_rows(const torch::Tensor& rows) override {
    return ranks_.exchange(rank_, rows, [](const auto& all) { return torch::cat(all, 0); });
  }

 private:
  ThreadRanks& ranks_;
  int rank_;
};

// Two ranks, dealt rows r, r + 2, ... of every batch as the distributed sampler deals samples (the batch of 3
// splits 2 + 1): combined, they hold numpy's single-process values, and exactly what one process collects.
TEST(QuantizationRangeInit, NncfKindsCombineAcrossRanksToTheSingleProcessValues) {
  constexpr int kWorld = 2;
  int activation_cases = 0;
  for (const auto& [name, c] : kinds()["cases"].items()) {
    if (c["is_weights"].get<bool>()) continue;  // weights are the same on every rank and are not combined
    ++activation_cases;
    RangeStatistics single = statistics_for(c);
    for (const auto& x : activation_batches()) single.add(x);
    const auto [want_min, want_max] = single.min_max();

    ThreadRanks ranks(kWorld);
    std::vector<std::pair<torch::Tensor, torch::Tensor>> got(kWorld);
    std::vector<std::thread> threads;
    for (int r = 0; r < kWorld; ++r) {
      threads.emplace_back([&, r] {
        ThreadCollectives collectives(ranks, r);
        RangeStatistics mine = statistics_for(c);
        for (const auto& x : activation_batches()) mine.add(x.index_select(0, torch::arange(r, x.size(0), kWorld)));
        mine.reduce_across_ranks(collectives);
        got[static_cast<size_t>(r)] = mine.min_max();
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& [min, max] : got) {
      expect_values(min, c["min"], name + " combined min");
      expect_values(max, c["max"], name + " combined max");
      EXPECT_TRUE(min.equal(want_min) && max.equal(want_max)) << name;
    }
    // Rank 0 alone saw other samples: the combination is not a no-op.
    RangeStatistics alone = statistics_for(c);
    for (const auto& x : activation_batches()) alone.add(x.index_select(0, torch::arange(0, x.size(0), kWorld)));
    EXPECT_FALSE(alone.min_max().second.equal(want_max)) << name;
  }
  EXPECT_EQ(activation_cases, 3);
}

// A quantizer builds its statistics from its own settings (weights or activations, mode, granularity).
TEST(QuantizationRangeInit, QuantizersInitialiseAsTheirKindPrescribes) {
  for (const auto& [name, c] : kinds()["cases"].items()) {
    if (type_of(c) != RangeInitType::kMixedMinMax) continue;
    const auto data = data_for(c);
    QuantizerSettings settings;
    settings.mode = mode_of(c);
    settings.is_weights = c["is_weights"].get<bool>();
    settings.per_channel = c["per_channel"].get<bool>();
    settings.channels = settings.per_channel ? data.front().size(0) : 1;
    torch::nn::Module owner;
    FakeQuantizer q(owner, settings);
    q.start_collecting(RangeInitType::kMixedMinMax, 0.1, 99.9);
    for (const auto& x : data) EXPECT_TRUE(q(x).equal(x)) << name;  // collecting passes data through
    q.initialize_from_statistics();
    auto expect_parameter = [&](const torch::Tensor& p, const Json& want, const std::string& what) {
      ASSERT_EQ(p.numel(), static_cast<int64_t>(want.size())) << name;
      for (int64_t i = 0; i < p.numel(); ++i)
        EXPECT_FLOAT_EQ(p.reshape({-1})[i].item<float>(), want[static_cast<size_t>(i)].get<float>()) << name << " " << what;
    };
    if (settings.mode == QuantizationMode::kSymmetric) {
      expect_parameter(q.scale, c["scale"], "scale");
      EXPECT_EQ(q.is_signed(), c["signed"].get<bool>()) << name;
    } else {
      expect_parameter(q.input_low, c["input_low"], "input_low");
      expect_parameter(q.input_range, c["input_range"], "input_range");
    }
  }
}

// A config without a range type initialises as NNCF's mixed_min_max: an asymmetric per-tensor activation
// quantizer takes the means over samples of each sample's min and max; weights take plain extremes.
TEST(QuantizationRangeInit, MissingTypeInitialisesAsMixedMinMax) {
  testing::QuantTinyBert m(1);
  auto recorder = std::make_shared<testing::InputRecorder>();
  m.node("bert.encoder.layer.0.intermediate.dense").linear->add_input_hook("recorder", recorder, 0);
  const auto config = testing::config_from(
      R"({"algorithm": "quantization", "preset": "mixed", "overflow_fix": "disable", "initializer": {"range": {"num_init_samples": 4}}})");
  ASSERT_EQ(config.range_init_type, RangeInitType::kMixedMinMax);
  auto c = build_quantization_on_graph(config, m.graph, {});
  testing::initialise_ranges(*c, m, 5);
  const torch::Tensor seen = recorder->seen.to(torch::kDouble);
  ASSERT_EQ(seen.dim(), 3);  // [batch, seq, hidden]: four samples
  const torch::Tensor per_sample = seen.reshape({seen.size(0), -1});
  const double low = std::get<0>(per_sample.min(1)).mean().item<double>();
  const double high = std::get<0>(per_sample.max(1)).mean().item<double>();
  const FakeQuantizer& q = *testing::entry(*c, "bert.encoder.layer.0.intermediate.dense.input_quantizer").quantizer;
  EXPECT_NEAR(q.input_low.item<double>(), low, 1e-6);
  EXPECT_NEAR(q.input_range.item<double>(), high - low, 1e-6);
  EXPECT_GT(std::abs(q.input_low.item<double>() - seen.min().item<double>()), 1e-3);  // not the batch's min
  const auto& w = m.node("bert.encoder.layer.0.intermediate.dense").linear->weight;
  const auto scale = std::get<0>(w.detach().abs().max(1)).clamp_min(0.1).unsqueeze(1);
  EXPECT_TRUE(torch::allclose(testing::entry(*c, "bert.encoder.layer.0.intermediate.dense.weight_quantizer").quantizer->scale,
                              scale));
}

}  // namespace
}  // namespace jpqd::compression
