#include "runtime/ops/attention.h"

#include <cmath>
#include <oneapi/dnnl/dnnl.h>

#include "common/error.h"
#include "runtime/cpu_isa.h"
#include "runtime/ops/quantize.h"
#include "runtime/ops/softmax.h"
#include "runtime/workspace.h"

namespace jpqd::runtime::ops {

namespace {

// Copies a [rows, cols] block with row stride ld into a dense buffer and fake-quantizes it.
void fake_quantize_block(const float* src, int64_t ld, int64_t rows, int64_t cols, const ActivationQuantizer& q,
                         float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    std::copy(src + r * ld, src + r * ld + cols, out + r * cols);
    fake_quantize(out + r * cols, cols, q);
  }
}

// Quantizes a [rows, cols] block with row stride ld into dense s8 levels.
void quantize_block(const float* src, int64_t ld, int64_t rows, int64_t cols, const ActivationQuantizer& q,
                    int8_t* out) {
  for (int64_t r = 0; r < rows; ++r) quantize(src + r * ld, cols, q, out + r * cols);
}

// Symmetric signed Q and K quantizers make Q'K'^T = s_q s_k (levels_q levels_k^T): one exact s8 x s8
// GEMM instead of an f32 one. It needs a GEMM whose integer sums are exact (VNNI, runtime/cpu_isa.h).
bool integer_scores(const format::AttentionQuantizers* q) {
  return q != nullptr && q->query.is_signed && q->key.is_signed && q->query.zero_point == 0 &&
         q->key.zero_point == 0 && int8_gemm_is_exact();
}

void scale_scores(const int32_t* acc, int64_t n, float scale, float* out) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(acc[i]) * scale;
}

void check(dnnl_status_t status, const char* what) {
  JPQD_CHECK(status == dnnl_success, Error, "oneDNN ", what, " failed with status ", static_cast<int>(status));
}

}  // namespace

void attention(const AttentionShape& s, const float* q, const float* k, const float* v, int64_t ld,
               const float* mask_bias, const format::AttentionQuantizers* quantizers, float* ctx) {
  const int64_t S = s.seq_len, d = s.head_dim, width = s.num_heads * s.head_dim;
  const float alpha = s.query_prescaled ? 1.0f : 1.0f / std::sqrt(static_cast<float>(d));
  const double score_divisor = s.query_prescaled ? 1.0 : std::sqrt(d);
  const bool integer = integer_scores(quantizers);
  // Sums of d products of levels up to 128^2 stay below 2^24 for d <= 1024: exact as f32 too.
  const float integer_scale =
      integer ? static_cast<float>(static_cast<double>(quantizers->query.scale) * quantizers->key.scale / score_divisor)
              : 0.f;
  const int64_t tasks = s.batch * s.num_heads;
  bool failed = false;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t t = 0; t < tasks; ++t) {
    const int64_t b = t / s.num_heads, h = t % s.num_heads;
    Workspace& ws = Workspace::for_this_thread();
    const float* qb = q + b * S * ld + h * d;
    const float* kb = k + b * S * ld + h * d;
    float* scores = ws.get<float>(kSlotAttentionScores, S * S);
    // Inside this parallel loop oneDNN's GEMMs run on the calling OpenMP thread only.
    dnnl_status_t st;
    if (integer) {
      auto* qq = ws.get<int8_t>(kSlotAttentionQ, S * d);
      auto* kq = ws.get<int8_t>(kSlotAttentionK, S * d);
      auto* acc = ws.get<int32_t>(kSlotAttentionIntegerScores, S * S);
      quantize_block(qb, ld, S, d, quantizers->query, qq);
      quantize_block(kb, ld, S, d, quantizers->key, kq);
      const int32_t no_offset = 0;
      st = dnnl_gemm_s8s8s32('N', 'T', 'F', S, S, d, 1.f, qq, d, 0, kq, d, 0, 0.f, acc, S, &no_offset);
      if (st == dnnl_success) scale_scores(acc, S * S, integer_scale, scores);
    } else {
      int64_t ldq = ld, ldk = ld;
      if (quantizers != nullptr) {
        float* qq = ws.get<float>(kSlotAttentionQ, S * d);
        float* kq = ws.get<float>(kSlotAttentionK, S * d);
        fake_quantize_block(qb, ld, S, d, quantizers->query, qq);
        fake_quantize_block(kb, ld, S, d, quantizers->key, kq);
        qb = qq;
        kb = kq;
        ldq = ldk = d;
      }
      st = dnnl_sgemm('N', 'T', S, S, d, alpha, qb, ldq, kb, ldk, 0.f, scores, S);
    }
    if (st == dnnl_success) {
      masked_softmax(scores, S, S, mask_bias + b * S);
      st = dnnl_sgemm('N', 'N', S, d, S, 1.f, scores, S, v + b * S * ld + h * d, ld, 0.f, ctx + b * S * width + h * d,
                      width);
    }
    if (st != dnnl_success) {
#pragma omp atomic write
      failed = true;
    }
  }
  check(failed ? dnnl_runtime_error : dnnl_success, "GEMM in attention");
}

}  // namespace jpqd::runtime::ops
