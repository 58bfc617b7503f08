#include "model/encoder_layer.h"

namespace jpqd::model {

torch::Tensor EncoderLayerParts::forward(const BertConfig& c, const torch::Tensor& hidden,
                                         const torch::Tensor& additive_mask, bool training) {
  return ffn.forward(c, attention.forward(c, hidden, additive_mask, training), training);
}

}  // namespace jpqd::model
