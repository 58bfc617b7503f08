#include "runtime/ops/linear.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>

#include "common/error.h"
#include "runtime/cpu_isa.h"
#include "runtime/workspace.h"

namespace jpqd::runtime::ops {

namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// Rows used to choose the packed weight layout at load. oneDNN's blocked layouts depend on K, N and
// the ISA, not on M; later primitives are created for the packed layout explicitly.
constexpr int64_t kPackingRows = 128;
// GEMM tiles when an epilogue follows: 128 rows x 768 f32 = 384 KiB, still in L2 when it is read.
constexpr int64_t kEpilogueColumns = 768;
constexpr int64_t kEpilogueRows = 128;
// Below this many rows per thread, splitting the rows is not worth a parallel region (a floor, not tuned).
constexpr int64_t kMinRowsPerThread = 16;

dt quantized_type(const ActivationQuantizer& q) { return q.is_signed ? dt::s8 : dt::u8; }

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

}  // namespace

ActivationQuantizer as_unsigned(const ActivationQuantizer& q) {
  if (!q.is_signed) return q;
  return {q.scale, q.zero_point + 128, false};
}

Linear::Linear(const LinearWeights& w, LinearOptions options, MatmulCache* cache)
    : in_(w.in_features), out_(w.out_features), options_(std::move(options)), cache_(cache) {
  if (options_.input_quantizer) options_.input_quantizer = as_unsigned(*options_.input_quantizer);
  if (options_.output_quantizer) options_.output_quantizer = as_unsigned(*options_.output_quantizer);
  const bool int8 = w.s8 != nullptr;
  JPQD_CHECK(int8 == options_.input_quantizer.has_value(), InvalidArgument,
             "Linear: an input quantizer goes with s8 weights and only with them");
  JPQD_CHECK(int8 ? (w.f32 == nullptr && w.weight_scale != nullptr) : (w.f32 != nullptr || in_ * out_ == 0),
             InvalidArgument, "Linear: weights must be f32, or s8 with per-row scales");
  JPQD_CHECK(!(options_.accumulate && options_.output_quantizer), InvalidArgument,
             "Linear: a residual add and a quantized output cannot be fused together");
  levels_in_f32_ = int8 && !int8_gemm_is_exact();
  src_dt_ = int8 && !levels_in_f32_ ? quantized_type(*options_.input_quantizer) : dt::f32;
  // GELU runs in our own pass after the GEMM (oneDNN 2.6's gelu post-op inside brgemm costs as much
  // as the GEMM itself at BERT's FFN shape, measured), and so does the requantization behind it.
  // oneDNN also has no f32 GEMM with an s8/u8 destination, so the f32 fallback quantizes there too.
  const bool gelu = options_.activation == Activation::kGeluErf || options_.activation == Activation::kGeluTanh;
  requantize_after_gemm_ = gelu || (levels_in_f32_ && options_.output_quantizer.has_value());
  dst_dt_ = options_.output_quantizer && !requantize_after_gemm_ ? quantized_type(*options_.output_quantizer)
                                                                 : dt::f32;

  bias_.assign(out_, 0.f);
  if (w.bias != nullptr) std::copy(w.bias, w.bias + out_, bias_.begin());
  if (int8) {
    const ActivationQuantizer& q = *options_.input_quantizer;
    out_scales_.resize(out_);
    for (int64_t n = 0; n < out_; ++n) {
      out_scales_[n] = q.scale * w.weight_scale[n];
      if (q.zero_point != 0) {
        int64_t row_sum = 0;
        for (int64_t k = 0; k < in_; ++k) row_sum += w.s8[n * in_ + k];
        // In double, then rounded once: the compensation is exact up to one f32 rounding.
        const double comp = static_cast<double>(out_scales_[n]) * q.zero_point * static_cast<double>(row_sum);
        bias_[n] = static_cast<float>(static_cast<double>(bias_[n]) - comp);
      }
    }
  }
  // oneDNN 2.x applies output scales after the bias (dst = scale * (acc + bias)), so the bias it gets
  // is b / scale (one more f32 rounding, within the error budget). Measured: the native bias keeps
  // brgemm, a binary-add post-op with runtime scales does not.
  dnnl_bias_ = bias_;
  for (size_t n = 0; n < out_scales_.size(); ++n)
    dnnl_bias_[n] = static_cast<float>(static_cast<double>(bias_[n]) / out_scales_[n]);

  static std::atomic<uint64_t> next_id{0};
  signature_ = str_cat("linear", next_id++, ":", in_, "x", out_, ":", static_cast<int>(src_dt_), ">", static_cast<int>(dst_dt_),
                       ":act", static_cast<int>(options_.activation), ":acc", options_.accumulate);
  if (options_.output_quantizer)
    signature_ += str_cat(":oq", float_bits(options_.output_quantizer->scale), "/",
                          options_.output_quantizer->zero_point);
  if (in_ == 0 || out_ == 0) return;

  auto& ctx = DnnlContext::instance();
  const dt weight_dt = int8 && !levels_in_f32_ ? dt::s8 : dt::f32;
  // With an epilogue, wide outputs run as column blocks so each block's f32 result is still in L2
  // when the epilogue reads it (measured at BERT's FFN: the full 128 x 3072 f32 result is not).
  const int64_t block = requantize_after_gemm_ && out_ > kEpilogueColumns ? kEpilogueColumns : out_;
  for (int64_t begin = 0; begin < out_; begin += block) {
    ColumnBlock b;
    b.begin = begin;
    b.size = std::min(block, out_ - begin);
    blocks_.push_back(b);
  }
  std::vector<float> levels;
  const void* user_data = int8 ? static_cast<const void*>(w.s8) : static_cast<const void*>(w.f32);
  if (levels_in_f32_) {
    levels.assign(w.s8, w.s8 + in_ * out_);
    user_data = levels.data();
  }
  dnnl::stream& stream = ctx.thread_stream();
  for (auto& b : blocks_) {
    auto pd = make_pd(kPackingRows, b, dnnl::memory::desc({in_, b.size}, weight_dt, tag::any));
    b.packed_md = pd.weights_desc();
    // The file stores W as [out, in]; as the matmul's K x N operand that is the transposed (ba)
    // layout, and a block of output columns is a contiguous run of rows.
    const dnnl::memory::desc user_md({in_, b.size}, weight_dt, tag::ba);
    const char* base = static_cast<const char*>(user_data) + b.begin * in_ * (weight_dt == dt::s8 ? 1 : 4);
    dnnl::memory user(user_md, ctx.engine(), const_cast<char*>(base));
    b.packed = dnnl::memory(b.packed_md, ctx.engine());
    dnnl::reorder(user, b.packed).execute(stream, user, b.packed);
  }
  stream.wait();
}

dnnl::matmul::primitive_desc Linear::make_pd(int64_t m, const ColumnBlock& block,
                                             const dnnl::memory::desc& weights_md) const {
  const dnnl::memory::desc src_md({m, in_}, src_dt_, tag::ab);
  const dnnl::memory::desc dst_md({m, block.size}, dst_dt_, tag::ab);
  const dnnl::memory::desc bias_md({1, block.size}, dt::f32, tag::ab);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  // Scales baked into the primitive: with runtime scales oneDNN 2.6 drops from brgemm to a slower
  // GEMM (measured), so primitives are per Linear rather than shared by shape.
  if (is_int8())
    attr.set_output_scales(1 << 1, std::vector<float>(out_scales_.begin() + block.begin,
                                                      out_scales_.begin() + block.begin + block.size));
  dnnl::post_ops po;
  if (options_.accumulate) po.append_sum(1.f);
  switch (options_.activation) {
    case Activation::kNone: break;
    case Activation::kGeluErf: break;   // in the epilogue
    case Activation::kGeluTanh: break;  // in the epilogue
    case Activation::kRelu: po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
    case Activation::kTanh: po.append_eltwise(1.f, dnnl::algorithm::eltwise_tanh, 0.f, 0.f); break;
  }
  if (options_.output_quantizer && !requantize_after_gemm_) {
    // round(y / s) + z becomes y * (1/s) + z rounded by the conversion to u8/s8 (half to even).
    const auto& q = *options_.output_quantizer;
    po.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, 1.0f / q.scale, static_cast<float>(q.zero_point));
  }
  attr.set_post_ops(po);
  return dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_md, weights_md, bias_md, dst_md), attr,
                                      DnnlContext::instance().engine());
}

std::shared_ptr<const MatmulCache::Entry> Linear::primitive_for(int64_t m, size_t block) const {
  const int threads = caller_thread_count();
  const std::string key = str_cat(signature_, ":b", block, ":m", m, ":t", threads);
  return cache_->get(key, [&] { return make_pd(m, blocks_[block], blocks_[block].packed_md); });
}

void Linear::run(int64_t m, const float* x, void* dst) const {
  if (!is_int8() || in_ == 0 || out_ == 0) {
    run_quantized(m, x, dst);
    return;
  }
  const ActivationQuantizer& q = *options_.input_quantizer;
  const int64_t in = in_;
  if (levels_in_f32_) {
    float* levels = Workspace::for_this_thread().get<float>(kSlotLinearInput, static_cast<size_t>(m * in_));
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < m; ++r) quantize_to_levels(x + r * in, in, q, levels + r * in);
    run_gemm(m, levels, dst);
    return;
  }
  void* xq = Workspace::for_this_thread().get(kSlotLinearInput, static_cast<size_t>(m * in_));
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < m; ++r) quantize(x + r * in, in, q, static_cast<char*>(xq) + r * in);
  run_gemm(m, xq, dst);
}

void Linear::run_quantized(int64_t m, const void* xq, void* dst) const {
  if (out_ == 0) return;
  if (in_ == 0) {
    run_without_gemm(m, dst);
    return;
  }
  if (levels_in_f32_) {
    float* levels = Workspace::for_this_thread().get<float>(kSlotLinearInput, static_cast<size_t>(m * in_));
    const int64_t n = m * in_;
    if (options_.input_quantizer->is_signed) {
      const auto* q = static_cast<const int8_t*>(xq);
      for (int64_t i = 0; i < n; ++i) levels[i] = q[i];
    } else {
      const auto* q = static_cast<const uint8_t*>(xq);
      for (int64_t i = 0; i < n; ++i) levels[i] = q[i];
    }
    run_gemm(m, levels, dst);
    return;
  }
  run_gemm(m, xq, dst);
}

void Linear::run_gemm(int64_t m, const void* src, void* dst) const {
  if (!requantize_after_gemm_) {
    execute(m, 0, src, dst);
    return;
  }
  // With an epilogue, each thread takes its own rows through every column block, GEMM then epilogue:
  // the f32 result stays in that core's L2 and the threads meet once per call instead of twice per
  // block (each meeting can cost a scheduler slice on a busy machine). Inside the region oneDNN runs
  // the GEMM on the calling thread alone.
  const int64_t parts = std::min<int64_t>(caller_thread_count(), m / kMinRowsPerThread);
  if (parts <= 1) {
    run_rows_with_epilogue(0, m, src, dst);
    return;
  }
  std::exception_ptr failure;
#pragma omp parallel num_threads(static_cast<int>(parts))
  {
    set_caller_thread_count(1);
    const int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
    try {
      run_rows_with_epilogue(m * t / n, m * (t + 1) / n, src, dst);
    } catch (...) {
#pragma omp critical(jpqd_linear_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

void Linear::run_rows_with_epilogue(int64_t row_begin, int64_t row_end, const void* src, void* dst) const {
  for (int64_t r = row_begin; r < row_end; r += kEpilogueRows)
    run_block_rows_with_epilogue(r, std::min(row_end, r + kEpilogueRows), src, dst);
}

void Linear::run_block_rows_with_epilogue(int64_t row_begin, int64_t row_end, const void* src, void* dst) const {
  const int64_t m = row_end - row_begin;
  const auto& oq = options_.output_quantizer;
  const Activation act = options_.activation;
  const int64_t ld = out_;
  const size_t src_bytes = src_dt_ == dt::f32 ? 4 : 1, dst_bytes = oq ? 1 : 4;
  src = static_cast<const char*>(src) + row_begin * in_ * static_cast<int64_t>(src_bytes);
  dst = static_cast<char*>(dst) + row_begin * ld * static_cast<int64_t>(dst_bytes);
  for (size_t bi = 0; bi < blocks_.size(); ++bi) {
    const ColumnBlock& b = blocks_[bi];
    const int64_t n = b.size;
    if (!oq && blocks_.size() == 1) {  // f32 result in place
      execute(m, bi, src, dst);
      float* y = static_cast<float*>(dst);
#pragma omp parallel for schedule(static)
      for (int64_t r = 0; r < m; ++r) activate(act, y + r * n, n);
      continue;
    }
    float* y = Workspace::for_this_thread().get<float>(kSlotLinearOutput, static_cast<size_t>(m * n));
    execute(m, bi, src, y);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < m; ++r) {
      if (oq) {
        activate_and_quantize(act, y + r * n, n, *oq, static_cast<char*>(dst) + r * ld + b.begin);
      } else {
        activate(act, y + r * n, n);
        std::copy(y + r * n, y + r * n + n, static_cast<float*>(dst) + r * ld + b.begin);
      }
    }
  }
}

void Linear::execute(int64_t m, size_t block, const void* src, void* dst) const {
  const ColumnBlock& b = blocks_[block];
  auto entry = primitive_for(m, block);
  auto& ctx = DnnlContext::instance();
  const dnnl::engine& eng = ctx.engine();
  const dnnl::memory::desc bias_md({1, b.size}, dt::f32, tag::ab);
  const auto scratch_md = entry->pd.scratchpad_desc();
  void* scratch = Workspace::for_this_thread().get(kSlotDnnlScratchpad, scratch_md.get_size());
  std::unordered_map<int, dnnl::memory> args = {
      {DNNL_ARG_SRC, dnnl::memory(entry->pd.src_desc(), eng, const_cast<void*>(src))},
      {DNNL_ARG_WEIGHTS, b.packed},
      {DNNL_ARG_DST, dnnl::memory(entry->pd.dst_desc(), eng, dst)},
      {DNNL_ARG_SCRATCHPAD, dnnl::memory(scratch_md, eng, scratch)},
      {DNNL_ARG_BIAS, dnnl::memory(bias_md, eng, const_cast<float*>(dnnl_bias_.data() + b.begin))}};
  dnnl::stream& stream = ctx.thread_stream();
  entry->primitive.execute(stream, args);
  stream.wait();
}

void Linear::run_without_gemm(int64_t m, void* dst) const {
  // No inputs (every head or FFN neuron pruned): y = b, then the same epilogue as the post-ops.
  std::vector<float> y(bias_);
  for (int64_t r = 0; r < m; ++r) {
    for (int64_t n = 0; n < out_; ++n) {
      float v = y[n];
      if (options_.accumulate) v += static_cast<float*>(dst)[r * out_ + n];
      v = activate(options_.activation, v);
      if (options_.output_quantizer) {
        quantize(&v, 1, *options_.output_quantizer, static_cast<char*>(dst) + r * out_ + n);
      } else {
        static_cast<float*>(dst)[r * out_ + n] = v;
      }
    }
  }
}

}  // namespace jpqd::runtime::ops
