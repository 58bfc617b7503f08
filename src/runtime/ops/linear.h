// A Linear layer y = x W^T + b on oneDNN matmul, created once (weights packed at load) and run for
// any number of rows.
//
// INT8 (weights s8 per output row with step w_scale[n], input quantizer with step s_x, zero point z):
//   q_x = quantize(x)                                         (ops/quantize.h)
//   y[m,n] = s_x * w_scale[n] * sum_k q_x[m,k] q_w[n,k]  +  (b[n] - s_x * w_scale[n] * z * sum_k q_w[n,k])
// The integer sum is exact (s32 accumulation); the zero point is folded into the bias at load
// (precomputed row sums), so the GEMM is a plain u8 x s8 with per-column output scales. Bias,
// residual add (dst +=) and ReLU/tanh are fused into the oneDNN primitive; GELU and the
// requantization of the output for the next INT8 Linear run in one vectorised pass right after the
// GEMM, on tiles of 128 rows x 768 output columns whose f32 result is still in L2, each thread on its
// own rows (cheaper than oneDNN 2.6's GELU post-op, and the quantization then divides by the scale
// exactly as the contract says).
// FP32 is the same without scales.
// Signed (s8, symmetric) quantizers are turned into the equivalent unsigned ones (zero point + 128,
// same levels shifted): oneDNN 2.6's brgemm picks weight layouts for s8 sources that depend on M, so
// one packed copy would not serve every batch size; with u8 sources it does (measured). options()
// reports the quantizers in that unsigned form; pre-quantized inputs must use it.
// Without VNNI (runtime/cpu_isa.h), oneDNN's INT8 GEMM saturates; the same integer levels then go
// through an f32 GEMM (sums exact up to f32 rounding), same contract, FP32 speed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "runtime/dnnl_context.h"
#include "runtime/ops/activation.h"
#include "runtime/ops/quantize.h"

namespace jpqd::runtime::ops {

struct LinearWeights {
  int64_t in_features = 0;
  int64_t out_features = 0;
  const float* f32 = nullptr;           // [out, in], FP32 Linear
  const int8_t* s8 = nullptr;           // [out, in], INT8 Linear
  const float* weight_scale = nullptr;  // [out], with s8
  const float* bias = nullptr;          // [out] or null
};

struct LinearOptions {
  std::optional<ActivationQuantizer> input_quantizer;  // required with s8 weights, forbidden otherwise
  Activation activation = Activation::kNone;
  bool accumulate = false;                              // dst += y (fuses a residual add)
  std::optional<ActivationQuantizer> output_quantizer;  // dst = quantize(y) (u8/s8) instead of f32
};

// The unsigned quantizer with the same levels as `q` (identity for unsigned ones).
ActivationQuantizer as_unsigned(const ActivationQuantizer& q);

class Linear {
 public:
  Linear(const LinearWeights& weights, LinearOptions options, MatmulCache* cache);

  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }
  bool is_int8() const { return options_.input_quantizer.has_value(); }
  const LinearOptions& options() const { return options_; }  // quantizers in unsigned form

  // x: f32 [m, in] (quantized here when INT8). dst: [m, out], f32 or the output quantizer's type.
  void run(int64_t m, const float* x, void* dst) const;
  // xq: [m, in] already quantized with options().input_quantizer (INT8 only).
  void run_quantized(int64_t m, const void* xq, void* dst) const;

 private:
  struct ColumnBlock {
    int64_t begin = 0;
    int64_t size = 0;
    dnnl::memory::desc packed_md;
    dnnl::memory packed;  // weights of these output columns, packed once
  };
  std::shared_ptr<const MatmulCache::Entry> primitive_for(int64_t m, size_t block) const;
  dnnl::matmul::primitive_desc make_pd(int64_t m, const ColumnBlock& block, const dnnl::memory::desc& weights_md) const;
  void run_without_gemm(int64_t m, void* dst) const;
  void run_gemm(int64_t m, const void* src, void* dst) const;  // src in src_dt_
  void run_rows_with_epilogue(int64_t row_begin, int64_t row_end, const void* src, void* dst) const;
  void run_block_rows_with_epilogue(int64_t row_begin, int64_t row_end, const void* src, void* dst) const;
  void execute(int64_t m, size_t block, const void* src, void* dst) const;  // one primitive, dense dst  // in_features == 0: y = b

  int64_t in_ = 0;
  int64_t out_ = 0;
  LinearOptions options_;
  MatmulCache* cache_;
  std::string signature_;
  bool requantize_after_gemm_ = false;  // GELU and/or quantization in our own pass after the GEMM
  bool levels_in_f32_ = false;  // INT8 contract computed with an f32 GEMM (no VNNI)
  dnnl::memory::data_type src_dt_;
  dnnl::memory::data_type dst_dt_;
  std::vector<ColumnBlock> blocks_;
  std::vector<float> bias_;        // with the zero point folded in (INT8)
  std::vector<float> dnnl_bias_;   // bias_ / out_scales_: oneDNN scales its bias (INT8)
  std::vector<float> out_scales_;  // s_x * w_scale[n] (INT8)
};

}  // namespace jpqd::runtime::ops
