// probs·V, the FP32 GEMM of attention, three ways at BERT shapes (sequence length 128, head size 64):
//   PerHead          - what ops::attention runs: one single-threaded dnnl_sgemm per (sequence, head), the
//                      (sequence, head) pairs spread over OpenMP threads, V read in place from the QKV rows;
//   BatchedStridedV  - one oneDNN matmul over [batch, heads] with V's strides as they lie in the QKV rows;
//   BatchedDenseV    - the same with V copied dense first (the copy not timed), the best case for a batched
//                      matmul (oneDNN then picks its brgemm kernels).
// The question it answers: would batching the heads into one GEMM speed attention up?
//
//   bench_attention_probs_v --benchmark_min_time=0.5     (counter GFLOP/s = 2 S S d batch heads / time)
//
// Arguments: batch, heads.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "jpqd/runtime.h"
#include "runtime/cpu_isa.h"
#include "runtime/dnnl_context.h"

namespace {

constexpr int64_t kSeq = 128, kHeadDim = 64;
using dt = dnnl::memory::data_type;

struct Operands {
  int64_t batch, heads, width, ld;
  std::vector<float> probs, qkv, ctx;
  Operands(int64_t b, int64_t h)
      : batch(b), heads(h), width(h * kHeadDim), ld(3 * h * kHeadDim),
        probs(b * h * kSeq * kSeq), qkv(b * kSeq * ld), ctx(b * kSeq * width) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    for (auto& x : probs) x = u(rng) / kSeq;
    for (auto& x : qkv) x = u(rng) - 0.5f;
  }
  const float* v() const { return qkv.data() + 2 * width; }
};

void finish(benchmark::State& state, const Operands& o, const std::string& kernel) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * kSeq * kSeq * kHeadDim * o.batch * o.heads * state.iterations() / 1e9, benchmark::Counter::kIsRate);
  state.SetLabel(std::to_string(jpqd::runtime::thread_count_for_this_thread()) + " threads, " + kernel);
}

void BM_PerHead(benchmark::State& state) {
  jpqd::runtime::ensure_cpu_isa_initialized();
  Operands o(state.range(0), state.range(1));
  for (auto _ : state) {
    const int64_t tasks = o.batch * o.heads;
#pragma omp parallel for schedule(dynamic, 1)
    for (int64_t t = 0; t < tasks; ++t) {
      const int64_t b = t / o.heads, h = t % o.heads;
      dnnl_sgemm('N', 'N', kSeq, kHeadDim, kSeq, 1.f, o.probs.data() + t * kSeq * kSeq, kSeq,
                 o.v() + b * kSeq * o.ld + h * kHeadDim, o.ld, 0.f, o.ctx.data() + b * kSeq * o.width + h * kHeadDim,
                 o.width);
    }
  }
  finish(state, o, "dnnl_sgemm");
}

void run_batched(benchmark::State& state, bool dense_v) {
  jpqd::runtime::ensure_cpu_isa_initialized();
  Operands o(state.range(0), state.range(1));
  const int64_t B = o.batch, H = o.heads;
  std::vector<float> v_dense;
  dnnl::memory::desc v_md;
  const float* v = o.v();
  if (dense_v) {
    v_dense.resize(B * H * kSeq * kHeadDim);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t r = 0; r < kSeq; ++r)
          std::copy_n(o.v() + (b * kSeq + r) * o.ld + h * kHeadDim, kHeadDim,
                      v_dense.data() + ((b * H + h) * kSeq + r) * kHeadDim);
    v = v_dense.data();
    v_md = dnnl::memory::desc({B, H, kSeq, kHeadDim}, dt::f32, dnnl::memory::format_tag::abcd);
  } else {
    v_md = dnnl::memory::desc({B, H, kSeq, kHeadDim}, dt::f32, dnnl::memory::dims{kSeq * o.ld, kHeadDim, o.ld, 1});
  }
  const dnnl::memory::desc p_md({B, H, kSeq, kSeq}, dt::f32, dnnl::memory::format_tag::abcd);
  const dnnl::memory::desc c_md({B, H, kSeq, kHeadDim}, dt::f32,
                                dnnl::memory::dims{kSeq * o.width, kHeadDim, o.width, 1});
  auto& ctx = jpqd::runtime::DnnlContext::instance();
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(p_md, v_md, c_md), ctx.engine());
  const dnnl::matmul matmul(pd);
  dnnl::memory p(p_md, ctx.engine(), o.probs.data()), w(v_md, ctx.engine(), const_cast<float*>(v)),
      c(c_md, ctx.engine(), o.ctx.data());
  auto& stream = ctx.thread_stream();
  for (auto _ : state) {
    matmul.execute(stream, {{DNNL_ARG_SRC, p}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, c}});
    stream.wait();
  }
  finish(state, o, pd.impl_info_str());
}

void BM_BatchedStridedV(benchmark::State& state) { run_batched(state, false); }
void BM_BatchedDenseV(benchmark::State& state) { run_batched(state, true); }

// bert-mini (4 heads) at batch 1 and 8, bert-base (12 heads) at batch 8.
#define JPQD_PROBS_V_SHAPES ->Args({1, 4})->Args({8, 4})->Args({8, 12})->Unit(benchmark::kMicrosecond)->UseRealTime()
BENCHMARK(BM_PerHead) JPQD_PROBS_V_SHAPES;
BENCHMARK(BM_BatchedStridedV) JPQD_PROBS_V_SHAPES;
BENCHMARK(BM_BatchedDenseV) JPQD_PROBS_V_SHAPES;

}  // namespace

BENCHMARK_MAIN();
