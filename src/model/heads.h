// The task heads of every family, driven by the family's description:
//   sequence classification  BERT: tanh(pooler.dense([CLS])) -> dropout -> classifier;
//                            RoBERTa: dropout -> classifier.dense -> tanh -> dropout -> classifier.out_proj;
//                            DistilBERT: pre_classifier -> ReLU -> dropout -> classifier;
//   question answering       [dropout (DistilBERT)] -> qa_outputs on every token;
//   masked LM                transform dense -> act -> LayerNorm -> decoder tied to the word embeddings + bias.
#pragma once

#include <torch/torch.h>

#include "model/bert_config.h"
#include "model/hooks.h"

namespace jpqd::model {

struct HeadParts {
  CompressibleLinear pooler{nullptr};          // BERT, sequence classification
  CompressibleLinear pre_classifier{nullptr};  // RoBERTa's classifier.dense, DistilBERT's pre_classifier
  CompressibleLinear classifier{nullptr};
  CompressibleLinear qa_outputs{nullptr};
  CompressibleLinear mlm_transform{nullptr};
  torch::nn::LayerNorm mlm_layer_norm{nullptr};
  torch::Tensor mlm_bias;

  // hidden [B, S, H] -> logits [B, num_labels].
  torch::Tensor classify(const BertConfig& config, const torch::Tensor& hidden, bool training);
  // hidden [B, S, H] -> [B, S, 2] (start, end).
  torch::Tensor answer_spans(const BertConfig& config, const torch::Tensor& hidden, bool training);
  // hidden [..., H] -> [..., vocab] through the tied decoder.
  torch::Tensor predict_tokens(const BertConfig& config, const torch::Tensor& hidden,
                               const torch::Tensor& word_embeddings);
};

}  // namespace jpqd::model
