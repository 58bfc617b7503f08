// The parts around the encoder: BertPooler (tanh of a dense layer on [CLS]) and the masked-LM head
// cls.predictions (transform dense + act + LayerNorm, decoder tied to the word embeddings, own bias).
#pragma once

#include <torch/torch.h>

#include "model/bert_config.h"
#include "model/hooks.h"

namespace jpqd::model {

class BertPoolerImpl : public torch::nn::Module {
 public:
  explicit BertPoolerImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden);  // [B, S, H] -> [B, H]

  CompressibleLinear dense{nullptr};
};
TORCH_MODULE(BertPooler);

class BertPredictionHeadTransformImpl : public torch::nn::Module {
 public:
  explicit BertPredictionHeadTransformImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden);

  CompressibleLinear dense{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};

 private:
  std::string act_;
};
TORCH_MODULE(BertPredictionHeadTransform);

// "cls.predictions": parameter "bias" and submodule "transform". The decoder has no weight of its own:
// it multiplies by the word-embedding table passed to forward(), as HF ties them.
class BertLmPredictionHeadImpl : public torch::nn::Module {
 public:
  explicit BertLmPredictionHeadImpl(const BertConfig& config);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& word_embeddings);

  torch::Tensor bias;
  BertPredictionHeadTransform transform{nullptr};
};
TORCH_MODULE(BertLmPredictionHead);

}  // namespace jpqd::model
