// Multi-head self-attention core for one layer, given its projected Q, K and V:
//   scores = Q' K'^T / sqrt(head_dim) + mask_bias;  P = softmax(scores);  ctx = P V
// where Q' and K' are Q and K fake-quantized (per tensor) when the layer has attention quantizers,
// else Q and K. With symmetric signed quantizers on a CPU with exact INT8 GEMMs, Q'K'^T is computed
// as an s8 x s8 GEMM of the levels (exact s32 sums, scaled once); everything else in f32. One
// (sequence, head) pair per task.
#pragma once

#include <cstdint>

#include "format/model_metadata.h"

namespace jpqd::runtime::ops {

struct AttentionShape {
  int64_t batch = 0;
  int64_t seq_len = 0;
  int64_t num_heads = 0;
  int64_t head_dim = 0;
  // Q arrives already divided by sqrt(head_dim) (DistilBERT divides before Q's quantizer): no second division.
  bool query_prescaled = false;
};

// q, k, v: rows batch * seq_len, head h of row r at [r * ld + h * head_dim]. mask_bias: [batch, seq_len]
// (0 or the lowest f32, see ops/softmax.h). ctx: [batch * seq_len, num_heads * head_dim].
void attention(const AttentionShape& shape, const float* q, const float* k, const float* v, int64_t ld,
               const float* mask_bias, const format::AttentionQuantizers* quantizers, float* ctx);

}  // namespace jpqd::runtime::ops
