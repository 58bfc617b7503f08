// The BERT of the pruning and export-notes tests: heads of width 4, so 4x4 movement blocks cover a head.
#pragma once

#include "model/bert_config.h"

namespace jpqd::exporter::testing {

// Vocabulary 50, hidden 16, 2 layers of 4 heads (head_dim 4), FFN 12, 20 positions.
inline model::BertConfig tiny_head_dim_4_config(int64_t num_labels) {
  model::BertConfig c;
  c.vocab_size = 50;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 12;
  c.max_position_embeddings = 20;
  c.set_num_labels(num_labels);
  return c;
}

}  // namespace jpqd::exporter::testing
