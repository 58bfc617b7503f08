#include "model/heads.h"

#include "model/feed_forward.h"

namespace jpqd::model {

using architecture::ClassifierHead;

torch::Tensor HeadParts::classify(const BertConfig& c, const torch::Tensor& hidden, bool training) {
  const double dropout = c.classifier_dropout.value_or(c.hidden_dropout_prob);
  const torch::Tensor first = hidden.select(1, 0);
  switch (c.architecture().classifier) {
    case ClassifierHead::kPooledTanh:
      return classifier->forward(torch::dropout(torch::tanh(pooler->forward(first)), dropout, training));
    case ClassifierHead::kDenseTanhOutProj: {
      torch::Tensor x = torch::tanh(pre_classifier->forward(torch::dropout(first, dropout, training)));
      return classifier->forward(torch::dropout(x, dropout, training));
    }
    case ClassifierHead::kPreClassifierRelu:
      return classifier->forward(torch::dropout(torch::relu(pre_classifier->forward(first)), dropout, training));
  }
  return {};
}

torch::Tensor HeadParts::answer_spans(const BertConfig& c, const torch::Tensor& hidden, bool training) {
  if (c.architecture().dropout_before_qa_outputs) return qa_outputs->forward(torch::dropout(hidden, c.qa_dropout, training));
  return qa_outputs->forward(hidden);
}

torch::Tensor HeadParts::predict_tokens(const BertConfig& c, const torch::Tensor& hidden,
                                        const torch::Tensor& word_embeddings) {
  const std::string act = c.architecture().mlm_exact_gelu ? "gelu" : c.hidden_act;
  // Under bfloat16 autocast the dense output is bfloat16, and LibTorch 1.13's CPU layer norm rejects an
  // input whose type differs from its float32 weight (the encoder's norms see float32 residual sums).
  torch::Tensor t = apply_activation(act, mlm_transform->forward(hidden));
  t = mlm_layer_norm->forward(t.to(mlm_layer_norm->weight.scalar_type()));
  return torch::nn::functional::linear(t, word_embeddings, mlm_bias);
}

}  // namespace jpqd::model
