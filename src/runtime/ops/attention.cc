#include "runtime/ops/attention.h"

#include <cmath>
#include <oneapi/dnnl/dnnl.h>

#include "common/error.h"
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

void check(dnnl_status_t status, const char* what) {
  JPQD_CHECK(status == dnnl_success, Error, "oneDNN ", what, " failed with status ", static_cast<int>(status));
}

}  // namespace

void attention(const AttentionShape& s, const float* q, const float* k, const float* v, int64_t ld,
               const float* mask_bias, const format::AttentionQuantizers* quantizers, float* ctx) {
  const int64_t S = s.seq_len, d = s.head_dim, width = s.num_heads * s.head_dim;
  const float alpha = 1.0f / std::sqrt(static_cast<float>(d));
  const int64_t tasks = s.batch * s.num_heads;
  bool failed = false;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t t = 0; t < tasks; ++t) {
    const int64_t b = t / s.num_heads, h = t % s.num_heads;
    Workspace& ws = Workspace::for_this_thread();
    const float* qb = q + b * S * ld + h * d;
    const float* kb = k + b * S * ld + h * d;
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
    float* scores = ws.get<float>(kSlotAttentionScores, S * S);
    // Inside this parallel loop oneDNN's GEMM runs on the calling OpenMP thread only.
    dnnl_status_t st = dnnl_sgemm('N', 'T', S, S, d, alpha, qb, ldq, kb, ldk, 0.f, scores, S);
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
  check(failed ? dnnl_runtime_error : dnnl_success, "sgemm in attention");
}

}  // namespace jpqd::runtime::ops
