// The one table of tensor names: Hugging Face state-dict names of BERT's own tensors, their shapes from
// the config and how HF initialises them, plus the aliases older or differently-saved checkpoints use.
// The module tree of BertImpl registers its parameters under exactly these names (a test checks it), so
// loading, saving and initialising all read this table and cannot drift.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/bert_config.h"

namespace jpqd::model {

enum class TaskHead;

enum class HfInit {
  kNormal,               // normal(0, initializer_range): Linear weights, position/token-type tables
  kNormalPaddingZero,    // normal(0, initializer_range) with the pad_token_id row zeroed: word embeddings
  kZeros,                // biases, LayerNorm bias
  kOnes,                 // LayerNorm weight
};

struct HfTensorSpec {
  std::string name;
  std::vector<int64_t> shape;
  HfInit init;
};

// Every tensor of the model for `config` and `head`, in HF's state-dict order.
std::vector<HfTensorSpec> hf_tensor_table(const BertConfig& config, TaskHead head);

// What a checkpoint key means for a model with `head`:
//   - legacy "*.gamma" / "*.beta" -> "*.weight" / "*.bias" (old TF-converted checkpoints);
//   - base-model keys without the "bert." prefix ("embeddings.*", "encoder.*", "pooler.*") get it;
//   - tied copies ("cls.predictions.decoder.weight" = word embeddings, "cls.predictions.decoder.bias" =
//     "cls.predictions.bias") map onto the tensor they share;
//   - keys HF ignores silently for this head ("*.position_ids", the pooler of heads without one) -> "".
struct CheckpointKey {
  std::string name;   // our (= HF's canonical) name, or "" when silently ignored
  bool tied = false;  // a tied copy: used only when the canonical tensor is absent
};
CheckpointKey canonical_checkpoint_key(const std::string& key, TaskHead head);

}  // namespace jpqd::model
