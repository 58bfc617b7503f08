// The sizes a family's tables need: a Torch-free digest of a model config (model::BertConfig::shape()).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jpqd::architecture {

struct EncoderShape {
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_layers = 0;
  int64_t head_dim = 0;
  std::vector<int64_t> heads;         // kept heads per layer (num_layers entries)
  std::vector<int64_t> intermediate;  // FFN neurons per layer (num_layers entries)
  int64_t max_position_embeddings = 0;
  int64_t type_vocab_size = 0;        // ignored by families without token types
  int64_t num_labels = 2;
  int64_t pad_token_id = 0;
  std::string hidden_act = "gelu";
};

}  // namespace jpqd::architecture
