// Embedding tables (f32, or s8 rows with a per-row scale) and the BERT input embedding sum.
#pragma once

#include <cstdint>
#include <vector>

namespace jpqd::runtime::ops {

// One table [rows, width]: either f32 values or s8 values with per-row steps (value = q * scale[row]).
struct EmbeddingTable {
  int64_t rows = 0;
  int64_t width = 0;
  const float* f32 = nullptr;
  const int8_t* s8 = nullptr;
  const float* row_scale = nullptr;  // with s8

  // out[i] (+)= row `r`.
  void add_row(int64_t r, float* out) const;
  void copy_row(int64_t r, float* out) const;

  bool present() const { return f32 != nullptr || s8 != nullptr; }
};

// out[t] = word[ids[t]] + type[types[t]] + position[positions[t]] for t in [0, batch * seq_len), summed in
// Hugging Face's order. A family without token types passes an absent `token_type` table; `positions`
// null means t % seq_len. Indices are validated by the caller.
void embed(const EmbeddingTable& word, const EmbeddingTable& position, const EmbeddingTable& token_type,
           const int64_t* ids, const int64_t* types, const int64_t* positions, int64_t batch, int64_t seq_len,
           float* out);

// RoBERTa's position ids: pads (ids == padding_idx) sit at padding_idx, real tokens count from padding_idx + 1.
void count_non_padding_positions(const int64_t* ids, int64_t batch, int64_t seq_len, int64_t padding_idx,
                                 int64_t* positions);

}  // namespace jpqd::runtime::ops
