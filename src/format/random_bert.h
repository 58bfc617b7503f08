// A BERT model file with random weights and plausible quantization parameters, for benchmarks and
// smoke tests where only shapes and speed matter (no training needed): `jpqd benchmark` on a named
// shape, the peer comparison harness, bench/ micro-benchmarks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/model_metadata.h"

namespace jpqd::format {

struct RandomBertOptions {
  int64_t hidden_size = 768;
  int64_t num_layers = 12;
  int64_t num_heads = 12;          // per layer unless heads_per_layer is given
  int64_t intermediate_size = 3072;  // per layer unless ffn_per_layer is given
  std::vector<int64_t> heads_per_layer;
  std::vector<int64_t> ffn_per_layer;
  int64_t vocab_size = 30522;
  int64_t max_position_embeddings = 512;
  int64_t num_labels = 2;
  TaskType task = TaskType::kSequenceClassification;
  bool int8 = false;
  uint64_t seed = 0;
};

// Writes the file (atomically) and returns its metadata.
ModelMetadata write_random_bert(const std::string& path, const RandomBertOptions& options);

}  // namespace jpqd::format
