// LibTorch FP32 inference as a third peer engine: jpqd's training model (model::Bert, random weights of a
// named shape) in eval mode under NoGradGuard, the way a user would serve the fine-tuned model without
// exporting it. Prints one JSON line like run_model.js --benchmark (latency in ms, sequences/s).
//
//   bench_libtorch_infer --shape bert-base --batch 8 --seq_len 128 --threads 2 --time 10
#include <torch/torch.h>
#include <torch/version.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "common/error.h"
#include "model/bert.h"

namespace {

struct Options {
  std::string shape = "bert-mini";
  int64_t batch = 1, seq_len = 128, threads = 2, warmup = 3;
  double time = 10;
};

int run(const Options& o) {
  torch::set_num_threads(static_cast<int>(o.threads));
  auto config = jpqd::model::BertConfig::named_shape(o.shape);
  JPQD_CHECK(config.has_value(), jpqd::InvalidArgument, "unknown model shape ", o.shape);
  config->set_num_labels(2);
  torch::manual_seed(42);
  jpqd::model::Bert model(*config, jpqd::model::TaskHead::kSequenceClassification);
  model->eval();
  torch::NoGradGuard no_grad;
  const jpqd::model::BertInputs inputs{torch::randint(1000, config->vocab_size, {o.batch, o.seq_len}),
                                       torch::ones({o.batch, o.seq_len}, torch::kInt64),
                                       torch::zeros({o.batch, o.seq_len}, torch::kInt64)};
  for (int64_t i = 0; i < o.warmup; ++i) model->forward(inputs);
  using Clock = std::chrono::steady_clock;
  std::vector<double> ms;
  const auto start = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  while (elapsed() < o.time || ms.empty()) {
    const auto t0 = Clock::now();
    model->forward(inputs);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  const double duration = elapsed();
  std::sort(ms.begin(), ms.end());
  const size_t mid = ms.size() / 2;
  const double median = ms.size() % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
  std::printf(
      "{\"engine\": \"libtorch %d.%d.%d fp32\", \"shape\": \"%s\", \"threads\": %d, \"batch\": %lld, \"seq_len\": %lld, "
      "\"count\": %zu, \"duration_s\": %.3f, \"latency_ms\": {\"median\": %.3f, \"min\": %.3f, \"max\": %.3f}, "
      "\"sequences_per_s\": %.3f}\n",
      TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, TORCH_VERSION_PATCH, o.shape.c_str(), torch::get_num_threads(), static_cast<long long>(o.batch),
      static_cast<long long>(o.seq_len), ms.size(), duration, median, ms.front(), ms.back(),
      static_cast<double>(ms.size() * o.batch) / duration);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"LibTorch FP32 inference throughput of jpqd's BERT"};
  app.add_option("--shape", o.shape, "Named shape")->capture_default_str();
  app.add_option("-b,--batch", o.batch)->capture_default_str();
  app.add_option("--seq_len", o.seq_len)->capture_default_str();
  app.add_option("--threads", o.threads, "Intra-op threads")->capture_default_str();
  app.add_option("--warmup", o.warmup, "Untimed forwards first")->capture_default_str();
  app.add_option("-t,--time", o.time, "Seconds to run")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "libtorch_infer_bench: error: %s\n", e.what());
    return 1;
  }
}
