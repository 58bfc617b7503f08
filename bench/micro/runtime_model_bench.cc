// Whole-model throughput of the runtime on random BERT-shaped files (format/random_bert.h), INT8 and
// FP32, sequence length 128, batch from the argument. Files are written once under $TMPDIR.
//
//   bench_runtime_model --benchmark_filter=base --benchmark_min_time=2
//   counter seq/s = sequences per second
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "common/file_io.h"
#include "format/random_bert.h"
#include "jpqd/runtime.h"

namespace {

using jpqd::runtime::Model;

const Model& model_for(const std::string& shape, bool int8) {
  static std::map<std::string, std::unique_ptr<Model>> models;
  const std::string key = shape + (int8 ? "_int8" : "_fp32");
  auto it = models.find(key);
  if (it != models.end()) return *it->second;
  const char* tmp = std::getenv("TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/jpqd_bench_" + key + ".jpqd";
  if (!jpqd::file_exists(path)) {
    jpqd::format::RandomBertOptions o;
    o.int8 = int8;
    if (shape == "mini") {
      o.hidden_size = 256, o.num_layers = 4, o.num_heads = 4, o.intermediate_size = 1024;
    } else if (shape == "base_pruned") {  // about 1/3 of the heads and 80% of the FFN kept
      o.heads_per_layer = {4, 4, 5, 4, 4, 4, 4, 4, 3, 4, 4, 4};
      o.ffn_per_layer = std::vector<int64_t>(12, 2458);
    }
    jpqd::format::write_random_bert(path, o);
  }
  return *(models[key] = std::make_unique<Model>(Model::load(path)));
}

void run(benchmark::State& state, const std::string& shape, bool int8) {
  const Model& model = model_for(shape, int8);
  const int64_t batch = state.range(0), seq = 128;
  std::vector<int64_t> ids(batch * seq), mask(batch * seq, 1), types(batch * seq, 0);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = 5 + static_cast<int64_t>(i * 7919 % 20000);
  model.run(ids, mask, types, batch, seq);  // warm-up: primitives for this shape
  for (auto _ : state) benchmark::DoNotOptimize(model.run(ids, mask, types, batch, seq));
  state.counters["seq/s"] = benchmark::Counter(double(batch) * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(jpqd::runtime::effective_isa() + ", " +
                 std::to_string(jpqd::runtime::thread_count_for_this_thread()) + " threads");
}

void BM_base_int8(benchmark::State& s) { run(s, "base", true); }
void BM_base_fp32(benchmark::State& s) { run(s, "base", false); }
void BM_base_pruned_int8(benchmark::State& s) { run(s, "base_pruned", true); }
void BM_mini_int8(benchmark::State& s) { run(s, "mini", true); }
void BM_mini_fp32(benchmark::State& s) { run(s, "mini", false); }

BENCHMARK(BM_base_int8)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_base_fp32)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_base_pruned_int8)->Arg(1)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_mini_int8)->Arg(1)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_mini_fp32)->Arg(1)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
