// oneDNN INT8 GEMM peak next to our INT8 Linear (and FP32 Linear) at BERT shapes, so "INT8 linear at
// >= 60% of peak" can be checked on the machine at hand. M = 128 * batch rows, K -> N.
//
//   bench_int8_linear --benchmark_min_time=0.2     (counters: GOP/s = 2 M K N / time)
//
// Peak: a bare u8 x s8 -> s32 oneDNN matmul with weights in its preferred layout, no scales or post-ops.
// Ours: ops::Linear with the zero point folded into the bias, per-channel scales, bias, and the post-ops
// the engine fuses for that layer (see run_linear), i.e. what the engine runs.
#include <benchmark/benchmark.h>

#include <random>

#include <oneapi/dnnl/dnnl.hpp>

#include "jpqd/runtime.h"
#include "runtime/cpu_isa.h"
#include "runtime/dnnl_context.h"
#include "runtime/ops/linear.h"

namespace {

using jpqd::runtime::DnnlContext;
using jpqd::runtime::MatmulCache;
namespace ops = jpqd::runtime::ops;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

void set_counters(benchmark::State& state, int64_t m, int64_t k, int64_t n) {
  state.counters["GOP/s"] =
      benchmark::Counter(2.0 * m * k * n * state.iterations() / 1e9, benchmark::Counter::kIsRate);
  state.SetLabel(jpqd::runtime::effective_isa() + ", " + std::to_string(jpqd::runtime::thread_count_for_this_thread()) +
                 " threads");
}

void BM_OneDnnInt8GemmPeak(benchmark::State& state) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  jpqd::runtime::ensure_cpu_isa_initialized();
  auto& ctx = DnnlContext::instance();
  dnnl::matmul::primitive_desc pd(
      dnnl::matmul::desc({{m, k}, dt::u8, tag::ab}, {{k, n}, dt::s8, tag::any}, {{m, n}, dt::s32, tag::ab}),
      ctx.engine());
  dnnl::memory src(pd.src_desc(), ctx.engine()), wei(pd.weights_desc(), ctx.engine()), dst(pd.dst_desc(), ctx.engine());
  std::memset(src.get_data_handle(), 3, m * k);
  std::memset(wei.get_data_handle(), 1, pd.weights_desc().get_size());
  dnnl::matmul prim(pd);
  auto& stream = ctx.thread_stream();
  for (auto _ : state) {
    prim.execute(stream, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}});
    stream.wait();
  }
  set_counters(state, m, k, n);
  // The kernel oneDNN picked (e.g. brg:avx512_core_vnni): effective_isa() is only the dispatch cap.
  state.SetLabel(std::string(pd.impl_info_str()) + ", " +
                 std::to_string(jpqd::runtime::thread_count_for_this_thread()) + " threads");
}

void run_linear(benchmark::State& state, bool int8) {
  const int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> uw(-127, 127);
  std::normal_distribution<float> nx(0.f, 1.f);
  std::vector<int8_t> w8(n * k);
  std::vector<float> wf(n * k), scale(n, 0.01f), bias(n, 0.1f);
  for (auto& v : w8) v = static_cast<int8_t>(uw(rng));
  for (auto& v : wf) v = nx(rng) * 0.05f;
  MatmulCache cache;
  ops::LinearOptions opt;
  const jpqd::format::ActivationQuantizer q{0.03f, 128, false};
  if (int8) opt.input_quantizer = q;
  // As the engine runs them: the fused QKV (K -> 3K) has no post-ops and an f32 output; only the FFN
  // intermediate (K -> 4K) fuses GELU and requantization; attention output and FFN output accumulate
  // into the residual.
  const bool qkv = n == 3 * k, ffn = n == 4 * k;
  if (ffn) {
    opt.activation = ops::Activation::kGeluErf;
    if (int8) opt.output_quantizer = jpqd::format::ActivationQuantizer{0.02f, 9, false};
  } else if (!qkv) {
    opt.accumulate = true;
  }
  ops::LinearWeights lw{k, n, int8 ? nullptr : wf.data(), int8 ? w8.data() : nullptr, int8 ? scale.data() : nullptr,
                        bias.data()};
  ops::Linear lin(lw, opt, &cache);
  std::vector<uint8_t> xq(m * k, 130);
  std::vector<float> xf(m * k, 0.5f), dst(m * n, 0.f);
  for (auto _ : state) {
    if (int8) lin.run_quantized(m, xq.data(), dst.data());
    else lin.run(m, xf.data(), dst.data());
    benchmark::DoNotOptimize(dst.data());
  }
  set_counters(state, m, k, n);
}

void BM_OurInt8Linear(benchmark::State& state) { run_linear(state, true); }
void BM_OurFp32Linear(benchmark::State& state) { run_linear(state, false); }

void bert_shapes(benchmark::internal::Benchmark* b) {
  for (int64_t batch : {1, 8})
    for (auto [k, n] : {std::pair<int64_t, int64_t>{768, 768}, {768, 2304}, {768, 3072}, {3072, 768}})
      b->Args({128 * batch, k, n});
  b->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_OneDnnInt8GemmPeak)->Apply(bert_shapes);
BENCHMARK(BM_OurInt8Linear)->Apply(bert_shapes);
BENCHMARK(BM_OurFp32Linear)->Apply(bert_shapes);

}  // namespace

BENCHMARK_MAIN();
