#include "model/encoder_layer.h"

namespace jpqd::model {

BertLayerImpl::BertLayerImpl(const BertConfig& c, int64_t layer) {
  attention = register_module("attention", BertAttention(c, c.layer_heads(layer)));
  intermediate = register_module("intermediate", BertIntermediate(c, c.layer_intermediate(layer)));
  output = register_module("output", BertOutput(c, c.layer_intermediate(layer)));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& hidden, const torch::Tensor& additive_mask) {
  torch::Tensor attended = attention->forward(hidden, additive_mask);
  return output->forward(intermediate->forward(attended), attended);
}

BertEncoderImpl::BertEncoderImpl(const BertConfig& c) {
  torch::nn::ModuleList list;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    layers.emplace_back(c, l);
    list->push_back(layers.back());
  }
  register_module("layer", list);
}

torch::Tensor BertEncoderImpl::forward(torch::Tensor hidden, const torch::Tensor& additive_mask) {
  for (auto& layer : layers) hidden = layer->forward(hidden, additive_mask);
  return hidden;
}

}  // namespace jpqd::model
