#include "model/bert_model.h"

#include <limits>

namespace jpqd::model {

torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask) {
  torch::Tensor m = attention_mask.to(torch::kFloat32).unsqueeze(1).unsqueeze(2);
  return (1.0 - m) * static_cast<double>(std::numeric_limits<float>::lowest());
}

BertModelImpl::BertModelImpl(const BertConfig& c, bool with_pooler) {
  embeddings = register_module("embeddings", BertEmbeddings(c));
  encoder = register_module("encoder", BertEncoder(c));
  if (with_pooler) pooler = register_module("pooler", BertPooler(c));
}

torch::Tensor BertModelImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                                     const torch::Tensor& token_type_ids, torch::Tensor* pooled) {
  torch::Tensor hidden = embeddings->forward(input_ids, token_type_ids);
  hidden = encoder->forward(hidden, additive_attention_mask(attention_mask));
  if (pooler && pooled) *pooled = pooler->forward(hidden);
  return hidden;
}

}  // namespace jpqd::model
