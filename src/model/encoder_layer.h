// BertLayer (attention, intermediate, output) and BertEncoder (the "layer" ModuleList of them).
#pragma once

#include <torch/torch.h>

#include "model/bert_config.h"
#include "model/feed_forward.h"
#include "model/self_attention.h"

namespace jpqd::model {

class BertLayerImpl : public torch::nn::Module {
 public:
  BertLayerImpl(const BertConfig& config, int64_t layer_index);
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask);

  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertOutput output{nullptr};
};
TORCH_MODULE(BertLayer);

class BertEncoderImpl : public torch::nn::Module {
 public:
  explicit BertEncoderImpl(const BertConfig& config);
  torch::Tensor forward(torch::Tensor hidden, const torch::Tensor& additive_mask);

  std::vector<BertLayer> layers;  // also registered as the ModuleList "layer"
};
TORCH_MODULE(BertEncoder);

}  // namespace jpqd::model
