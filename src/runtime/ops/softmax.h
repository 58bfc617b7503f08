// Row softmax with an additive key mask, as Hugging Face BERT applies it.
#pragma once

#include <cstdint>

namespace jpqd::runtime::ops {

// mask_bias[j] is 0 for a kept key and the lowest f32 for a padded one (added, like HF's
// (1 - mask) * finfo.min), so a fully padded row degrades exactly as it does in PyTorch.
void masked_softmax(float* scores, int64_t rows, int64_t cols, const float* mask_bias);

}  // namespace jpqd::runtime::ops
