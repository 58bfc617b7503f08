// The embeddings of every family: word (+ token type, where the family has them) + position, LayerNorm,
// dropout, in Hugging Face's order of additions; positions as the family computes them.
#pragma once

#include <torch/torch.h>

#include "model/bert_config.h"
#include "model/hooks.h"

namespace jpqd::model {

// An embedding table whose weight passes through a hook point before the lookup, so compression can
// mask or fake-quantize the table. State-dict names: "<name>.weight" (+ "<name>.weight_hooks.<hook>.*").
class HookedEmbeddingImpl : public torch::nn::Module {
 public:
  // padding_idx < 0: none. The padding row gets no gradient, as torch.nn.Embedding(padding_idx=...) does.
  HookedEmbeddingImpl(int64_t num_embeddings, int64_t dim, int64_t padding_idx = -1);
  torch::Tensor forward(const torch::Tensor& ids);

  torch::Tensor weight;
  TensorHookPoint weight_hooks{nullptr};
  int64_t padding_idx;
};
TORCH_MODULE(HookedEmbedding);

// Position ids [B, S] of `input_ids` for the family: 0..S-1, or (RoBERTa) padding_idx + the running count of
// non-pad tokens, with padding_idx at the pads.
torch::Tensor family_position_ids(const architecture::Architecture& arch, const torch::Tensor& input_ids,
                                  int64_t pad_token_id);

// DistilBERT's sinusoidal_pos_embds table: sin at even columns, cos at odd ones, of pos / 10000^(2⌊j/2⌋/dim).
torch::Tensor sinusoidal_position_table(int64_t positions, int64_t dim);

struct EmbeddingParts {
  HookedEmbedding word{nullptr};
  HookedEmbedding position{nullptr};
  HookedEmbedding token_type{nullptr};  // null for families without token types
  torch::nn::LayerNorm layer_norm{nullptr};

  // token_type_ids must be defined ([B, S] int64); families without token types ignore them.
  torch::Tensor forward(const BertConfig& config, const torch::Tensor& input_ids, const torch::Tensor& token_type_ids,
                        bool training);
};

}  // namespace jpqd::model
