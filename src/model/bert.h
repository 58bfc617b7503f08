// An encoder of any family (BERT, DistilBERT, RoBERTa, XLM-RoBERTa; config.model_type) with Hugging Face
// semantics as a LibTorch module: <Family>ForSequenceClassification, ForQuestionAnswering and ForMaskedLM
// share one class with a task head. The family's description (architecture/architecture.h) decides the
// module names, embeddings, attention details and heads.
//
// Parameter names map one to one onto Hugging Face's ("bert.encoder.layer.0.attention.self.query.weight",
// "distilbert.transformer.layer.0.attention.q_lin.weight", "classifier.out_proj.weight", ...), because
// submodules are registered under HF's names. Pruned models (per-layer heads and FFN width from
// BertConfig::heads_per_layer / intermediate_per_layer) use the same class.
#pragma once

#include <torch/torch.h>

#include "model/bert_config.h"
#include "model/model_graph.h"

namespace jpqd::model {

using TaskHead = architecture::TaskHead;

std::string task_head_architecture(TaskHead head);  // BERT's: "BertForSequenceClassification", ...
// The family's: "DistilBertForSequenceClassification", "RobertaForMaskedLM", ...
std::string task_head_architecture(TaskHead head, const BertConfig& config);
// The head config.json's "architectures" names (<Family>ForQuestionAnswering, <Family>ForMaskedLM); sequence
// classification otherwise, as for a bare <Family>Model that is about to be fine-tuned.
TaskHead task_head_of(const BertConfig& config);

// Members left out of a brace initializer stay undefined, which each one's comment gives a meaning
// (the `{}` keeps gcc's -Wmissing-field-initializers quiet for `{ids}` and `{ids, mask}`).
struct BertInputs {
  torch::Tensor input_ids{};       // [B, S] int64
  torch::Tensor attention_mask{};  // [B, S] int64 (1 = token, 0 = padding); undefined = all ones
  torch::Tensor token_type_ids{};  // [B, S] int64; undefined = all zeros; ignored by families without them
  // Masked LM only: [B, S] bool, the positions to predict (labels != -100). Projecting only those onto
  // the vocabulary gives the same loss as HF at a fraction of the cost (the vocabulary GEMM over every
  // position costs as much as the whole bert-mini encoder); undefined = every position.
  torch::Tensor lm_positions{};
};

struct BertOutputs {
  torch::Tensor logits;        // classification [B, num_labels]; MLM [B, S, vocab], or [N, vocab] at lm_positions
  torch::Tensor start_logits;  // QA [B, S]
  torch::Tensor end_logits;    // QA [B, S]
};

// Targets as HF models take them; only the ones of the model's head are used.
struct BertLabels {
  torch::Tensor labels;           // classification: [B] int64, regression: [B] float,
                                  // multi-label: [B, C] float; MLM: [B, S] int64 with -100 = ignore
  torch::Tensor start_positions;  // QA: [B] int64
  torch::Tensor end_positions;    // QA: [B] int64
};

class BertImpl : public torch::nn::Module {
 public:
  BertImpl(BertConfig config, TaskHead head);

  BertOutputs forward(const BertInputs& inputs);

  // The task loss exactly as HF computes it for this head and config.problem_type
  // (cross-entropy, MSE for num_labels == 1, BCE-with-logits for multi-label, QA mean of start/end
  // cross-entropies with positions clamped to the sequence length and ignored beyond it).
  torch::Tensor loss(const BertOutputs& outputs, const BertLabels& labels) const;

  const BertConfig& config() const { return config_; }
  const architecture::Architecture& architecture() const { return config_.architecture(); }
  // Label names and problem type describe the head without changing its shape; a fine-tuning task sets
  // them so that config.json and exported models name the labels. Throws when the count disagrees.
  void set_label_metadata(std::map<int64_t, std::string> id2label, std::string problem_type);
  TaskHead head() const { return head_; }

  // Every node compression may select, in forward order (see model_graph.h).
  ModelGraph graph();

  // Hugging Face names of the parameters and buffers that make up the model itself (no compression
  // state), i.e. what model.safetensors holds.
  std::vector<std::string> hf_parameter_names() const;

 private:
  BertConfig config_;
  TaskHead head_;
  struct Parts;
  std::shared_ptr<Parts> parts_;
};
TORCH_MODULE(Bert);

}  // namespace jpqd::model
