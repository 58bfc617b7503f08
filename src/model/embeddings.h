// BertEmbeddings: word + token-type + absolute position embeddings, LayerNorm, dropout (HF order).
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

class BertEmbeddingsImpl : public torch::nn::Module {
 public:
  explicit BertEmbeddingsImpl(const BertConfig& config);
  // token_type_ids must be defined ([B, S] int64).
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids);

  HookedEmbedding word_embeddings{nullptr};
  HookedEmbedding position_embeddings{nullptr};
  HookedEmbedding token_type_embeddings{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};

 private:
  double dropout_;
};
TORCH_MODULE(BertEmbeddings);

}  // namespace jpqd::model
