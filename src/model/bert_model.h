// BertModel: embeddings, encoder and (for sequence classification) the pooler, under "bert.".
#pragma once

#include <torch/torch.h>

#include "model/bert_config.h"
#include "model/embeddings.h"
#include "model/encoder_layer.h"
#include "model/heads.h"

namespace jpqd::model {

// HF's extended attention mask: (1 - mask) * finfo(float32).min, shaped [B, 1, 1, S] to add to the scores.
torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask);

class BertModelImpl : public torch::nn::Module {
 public:
  BertModelImpl(const BertConfig& config, bool with_pooler);
  // Returns the last hidden state [B, S, H]; `pooled` receives the pooler output when there is a pooler.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                        const torch::Tensor& token_type_ids, torch::Tensor* pooled);

  BertEmbeddings embeddings{nullptr};
  BertEncoder encoder{nullptr};
  BertPooler pooler{nullptr};  // null for question answering and masked LM, as in HF
};
TORCH_MODULE(BertModel);

}  // namespace jpqd::model
