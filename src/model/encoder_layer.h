// One post-LayerNorm encoder layer (BertLayer, RobertaLayer, DistilBERT's TransformerBlock): attention,
// then the feed-forward block.
#pragma once

#include "model/feed_forward.h"
#include "model/self_attention.h"

namespace jpqd::model {

struct EncoderLayerParts {
  AttentionParts attention;
  FeedForwardParts ffn;

  torch::Tensor forward(const BertConfig& config, const torch::Tensor& hidden, const torch::Tensor& additive_mask,
                        bool training);
};

}  // namespace jpqd::model
