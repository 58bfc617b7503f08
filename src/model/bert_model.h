// The module tree of a model, built from its family's description: every Linear, embedding, LayerNorm and
// hook point registered at its Hugging Face path, and gathered into EncoderParts for the forward pass.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "model/bert_config.h"
#include "model/embeddings.h"
#include "model/encoder_layer.h"
#include "model/heads.h"

namespace jpqd::model {

// HF's extended attention mask: (1 - mask) * finfo(float32).min, shaped [B, 1, 1, S] to add to the scores.
torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask);

struct EncoderParts {
  EmbeddingParts embeddings;
  std::vector<EncoderLayerParts> layers;
  HeadParts head;
  // Every Linear, embedding and hook point by its Hugging Face path (the graph's node names).
  std::map<std::string, CompressibleLinearImpl*> linears;
  std::map<std::string, HookedEmbeddingImpl*> embedding_tables;
  std::map<std::string, TensorHookPointImpl*> hook_points;
};

// Registers the family's modules for `config` and `head` under `root` in state-dict order, then the hook
// points of its graph, and returns them gathered by role.
EncoderParts build_encoder_parts(torch::nn::Module& root, const BertConfig& config, architecture::TaskHead head);

}  // namespace jpqd::model
