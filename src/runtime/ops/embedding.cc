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
           const int64_t* ids, const int64_t* types, const int64_t* positions, int64_t batch, int64_t seq_len,
           float* out) {
  const bool with_types = token_type.present();
  const int64_t width = word.width;
#pragma omp parallel for schedule(static)
  for (int64_t t = 0; t < batch * seq_len; ++t) {
    float* row = out + t * width;
    word.copy_row(ids[t], row);
    if (with_types) token_type.add_row(types[t], row);
    position.add_row(positions != nullptr ? positions[t] : t % seq_len, row);
  }
}

void count_non_padding_positions(const int64_t* ids, int64_t batch, int64_t seq_len, int64_t padding_idx,
                                 int64_t* positions) {
  for (int64_t b = 0; b < batch; ++b) {
    int64_t real_so_far = 0;
    for (int64_t s = 0; s < seq_len; ++s) {
      const int64_t t = b * seq_len + s;
      if (ids[t] == padding_idx) {
        positions[t] = padding_idx;
      } else {
        positions[t] = padding_idx + ++real_so_far;
      }
    }
  }
}

}  // namespace jpqd::runtime::ops
