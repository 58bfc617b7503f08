// Masked-language-model masking as transformers' DataCollatorForLanguageModeling (and
// DataCollatorForWholeWordMask) do it: choose 15% of the non-special tokens (or whole words), set
// labels there and -100 elsewhere; replace 80% of the chosen by [MASK], 10% by a random token, keep 10%.
#pragma once

#include <cstdint>
#include <vector>

#include "training/dataset.h"

namespace jpqd::training {

struct MaskingOptions {
  double mlm_probability = 0.15;
  bool whole_word_mask = false;
  int64_t mask_id = 103;
  int64_t vocab_size = 30522;
  std::vector<int64_t> special_ids;  // never masked ([CLS], [SEP], [PAD], ...)
  std::vector<bool> is_continuation; // per vocabulary id: true for "##" pieces (whole-word masking)
};

// Masks batch.inputs.input_ids in place and fills batch.labels.labels; deterministic in `seed`.
void mask_tokens(Batch& batch, const MaskingOptions& options, uint64_t seed);

}  // namespace jpqd::training
