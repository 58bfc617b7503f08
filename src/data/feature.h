// One tokenized example as training and evaluation consume it, Torch-free so the runtime's `jpqd eval`
// reads the same features as the trainer.
#pragma once

#include <cstdint>
#include <vector>

namespace jpqd::data {

struct Feature {
  std::vector<int64_t> input_ids;
  std::vector<int64_t> token_type_ids;
  // Empty for unpadded features (every token is real). Filled (1 real, 0 padding) only when a
  // feature was padded to max_seq_length, so padding is never mistaken for text.
  std::vector<int64_t> attention_mask;
  int64_t label = -1;          // classification: index into the task's label list
  std::vector<float> targets;  // regression (1 value) or multi-label (C values)
  int64_t start_position = 0;  // question answering (token index; 0 = [CLS] when the answer is not in the window)
  int64_t end_position = 0;
  // Distillation from a teacher with another tokenizer (a RoBERTa teacher for a DistilBERT student): the
  // same text in the teacher's token ids, unpadded. Empty when the teacher reads input_ids.
  std::vector<int64_t> teacher_input_ids;
  std::vector<int64_t> teacher_token_type_ids;
};

}  // namespace jpqd::data
