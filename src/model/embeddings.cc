#include "model/embeddings.h"

#include "common/error.h"

namespace jpqd::model {

HookedEmbeddingImpl::HookedEmbeddingImpl(int64_t num_embeddings, int64_t dim, int64_t padding)
    : padding_idx(padding) {
  weight = register_parameter("weight", torch::randn({num_embeddings, dim}));
  weight_hooks = register_module("weight_hooks", TensorHookPoint());
}

torch::Tensor HookedEmbeddingImpl::forward(const torch::Tensor& ids) {
  torch::Tensor table = weight_hooks->forward(weight);
  return torch::embedding(table, ids, padding_idx);
}

BertEmbeddingsImpl::BertEmbeddingsImpl(const BertConfig& c) : dropout_(c.hidden_dropout_prob) {
  word_embeddings = register_module("word_embeddings", HookedEmbedding(c.vocab_size, c.hidden_size, c.pad_token_id));
  position_embeddings =
      register_module("position_embeddings", HookedEmbedding(c.max_position_embeddings, c.hidden_size));
  token_type_embeddings = register_module("token_type_embeddings", HookedEmbedding(c.type_vocab_size, c.hidden_size));
  layer_norm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
}

torch::Tensor BertEmbeddingsImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& token_type_ids) {
  const int64_t seq = input_ids.size(1);
  const int64_t max_pos = position_embeddings->weight.size(0);
  JPQD_CHECK(seq <= max_pos, InvalidArgument, "sequence length ", seq, " exceeds max_position_embeddings ", max_pos);
  // HF order: word + token type, then += position.
  torch::Tensor x = word_embeddings->forward(input_ids) + token_type_embeddings->forward(token_type_ids);
  torch::Tensor positions = torch::arange(seq, input_ids.options().dtype(torch::kLong)).unsqueeze(0);
  x = x + position_embeddings->forward(positions);
  x = layer_norm->forward(x);
  return torch::dropout(x, dropout_, is_training());
}

}  // namespace jpqd::model
