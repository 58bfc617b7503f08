#include "runtime/ops/embedding.h"

namespace jpqd::runtime::ops {

void EmbeddingTable::copy_row(int64_t r, float* out) const {
  if (f32 != nullptr) {
    const float* src = f32 + r * width;
    for (int64_t i = 0; i < width; ++i) out[i] = src[i];
  } else {
    const int8_t* src = s8 + r * width;
    const float s = row_scale[r];
    for (int64_t i = 0; i < width; ++i) out[i] = static_cast<float>(src[i]) * s;
  }
}

void EmbeddingTable::add_row(int64_t r, float* out) const {
  if (f32 != nullptr) {
    const float* src = f32 + r * width;
    for (int64_t i = 0; i < width; ++i) out[i] += src[i];
  } else {
    const int8_t* src = s8 + r * width;
    const float s = row_scale[r];
    for (int64_t i = 0; i < width; ++i) out[i] += static_cast<float>(src[i]) * s;
  }
}

void embed(const EmbeddingTable& word, const EmbeddingTable& position, const EmbeddingTable& token_type,
           const int64_t* ids, const int64_t* types, int64_t batch, int64_t seq_len, float* out) {
  const int64_t width = word.width;
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < batch * seq_len; ++t) {
    float* row = out + t * width;
    word.copy_row(ids[t], row);
    token_type.add_row(types[t], row);
    position.add_row(t % seq_len, row);
  }
}

}  // namespace jpqd::runtime::ops
