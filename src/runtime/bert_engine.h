// The encoder forward pass of a loaded model file (BERT, DistilBERT, RoBERTa, XLM-R: tensor names from the
// family's description, behaviour from the metadata): embeddings, encoder layers, task head. Immutable
// after construction; every forward() works in the calling thread's Workspace, so concurrent calls
// are safe.
#pragma once

#include <memory>
#include <vector>

#include "format/model_file.h"
#include "format/model_metadata.h"
#include "runtime/dnnl_context.h"
#include "runtime/encoder_layer.h"
#include "runtime/ops/embedding.h"

namespace jpqd::runtime {

struct EngineOutput {
  std::vector<float> logits;        // classification [batch, num_labels]
  std::vector<float> start_logits;  // question answering [batch, seq_len]
  std::vector<float> end_logits;
};

class BertEngine {
 public:
  // Validates the file against its metadata and packs every weight. Throws FormatError.
  explicit BertEngine(format::ModelFile file);

  const format::ModelMetadata& metadata() const { return metadata_; }
  const format::ModelFile& file() const { return file_; }

  // Inputs must already be validated (ids < vocab, types < type_vocab_size, mask 0/1,
  // 1 <= seq_len <= max_position_embeddings, batch >= 1).
  EngineOutput forward(const int64_t* ids, const int64_t* mask, const int64_t* types, int64_t batch,
                       int64_t seq_len) const;

 private:
  format::ModelFile file_;
  format::ModelMetadata metadata_;
  MatmulCache cache_;
  std::unique_ptr<WeightLoader> loader_;  // owns widened f16 copies used by the ops
  ops::EmbeddingTable word_, position_, token_type_;
  const float* emb_gamma_ = nullptr;
  const float* emb_beta_ = nullptr;
  std::vector<std::unique_ptr<EncoderLayer>> layers_;
  // Sequence classification: first token -> head_dense_ (tanh or ReLU: the pooler, RoBERTa's
  // classifier.dense, DistilBERT's pre_classifier) -> classifier_.
  std::unique_ptr<ops::Linear> head_dense_, classifier_, qa_outputs_;
};

}  // namespace jpqd::runtime
