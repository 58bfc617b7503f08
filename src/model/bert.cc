#include "model/bert.h"

#include "common/error.h"
#include "model/bert_parts.h"
#include "model/embeddings.h"

namespace jpqd::model {

namespace {

void check_ids(const torch::Tensor& t, const char* what, int64_t limit, const torch::Tensor& like) {
  JPQD_CHECK(t.dim() == 2, InvalidArgument, what, " must be [batch, sequence], got ", t.sizes());
  JPQD_CHECK(t.sizes() == like.sizes(), InvalidArgument, what, " has shape ", t.sizes(), ", input_ids ", like.sizes());
  if (t.numel() == 0) return;
  const int64_t lo = t.min().item<int64_t>(), hi = t.max().item<int64_t>();
  JPQD_CHECK(lo >= 0 && hi < limit, InvalidArgument, what, " hold values in [", lo, ", ", hi, "], outside [0, ", limit,
             ")");
}

// HF's _init_weights, driven by the family's tensor table.
void init_like_hf(torch::nn::Module& module, const BertConfig& c, TaskHead head) {
  using architecture::ParamInit;
  torch::NoGradGuard no_grad;
  auto params = module.named_parameters(true);
  for (const auto& spec : c.architecture().tensors(c.shape(), head)) {
    torch::Tensor* p = params.find(spec.name);
    TORCH_CHECK(p != nullptr, "BertImpl registers no parameter ", spec.name);
    TORCH_CHECK(p->sizes() == torch::IntArrayRef(spec.shape), spec.name, " has shape ", p->sizes());
    switch (spec.init) {
      case ParamInit::kNormal: p->normal_(0.0, c.initializer_range); break;
      case ParamInit::kNormalPaddingZero:
        p->normal_(0.0, c.initializer_range);
        (*p)[c.pad_token_id].zero_();
        break;
      case ParamInit::kZeros: p->zero_(); break;
      case ParamInit::kOnes: p->fill_(1.0); break;
    }
  }
}

}  // namespace

std::string task_head_architecture(TaskHead head) { return architecture::bert_architecture().head_class(head); }

std::string task_head_architecture(TaskHead head, const BertConfig& config) {
  return config.architecture().head_class(head);
}

TaskHead task_head_of(const BertConfig& config) {
  const architecture::Architecture& arch = config.architecture();
  for (const auto& a : config.architectures) {
    if (a == arch.head_class(TaskHead::kQuestionAnswering)) return TaskHead::kQuestionAnswering;
    if (a == arch.head_class(TaskHead::kMaskedLM)) return TaskHead::kMaskedLM;
  }
  return TaskHead::kSequenceClassification;
}

BertImpl::BertImpl(BertConfig config, TaskHead head) : config_(std::move(config)), head_(head) {
  config_.validate("model config");
  parts_ = std::make_shared<Parts>(build_encoder_parts(*this, config_, head));
  init_like_hf(*this, config_, head_);
  if (config_.sinusoidal_pos_embds) {  // DistilBERT: a fixed table, never trained
    torch::NoGradGuard no_grad;
    torch::Tensor& table = parts_->embeddings.position->weight;
    table.copy_(sinusoidal_position_table(table.size(0), table.size(1)));
    table.set_requires_grad(false);
  }
}

void BertImpl::set_label_metadata(std::map<int64_t, std::string> id2label, std::string problem_type) {
  JPQD_CHECK(id2label.empty() || static_cast<int64_t>(id2label.size()) == config_.num_labels(), InvalidArgument,
             "model: ", id2label.size(), " label names for a head with ", config_.num_labels(), " outputs");
  if (!id2label.empty()) config_.id2label = std::move(id2label);
  config_.problem_type = std::move(problem_type);
}

BertOutputs BertImpl::forward(const BertInputs& in) {
  JPQD_CHECK(in.input_ids.defined(), InvalidArgument, "input_ids are required");
  JPQD_CHECK(in.input_ids.dim() == 2, InvalidArgument, "input_ids must be [batch, sequence], got ",
             in.input_ids.sizes());
  check_ids(in.input_ids, "input_ids", config_.vocab_size, in.input_ids);
  torch::Tensor mask = in.attention_mask.defined() ? in.attention_mask : torch::ones_like(in.input_ids);
  torch::Tensor types = in.token_type_ids.defined() ? in.token_type_ids : torch::zeros_like(in.input_ids);
  JPQD_CHECK(mask.sizes() == in.input_ids.sizes(), InvalidArgument, "attention_mask has shape ", mask.sizes(),
             ", input_ids ", in.input_ids.sizes());
  if (architecture().token_type_embeddings) check_ids(types, "token_type_ids", config_.type_vocab_size, in.input_ids);

  auto& p = *parts_;
  const bool training = is_training();
  BertOutputs out;
  torch::Tensor hidden = p.embeddings.forward(config_, in.input_ids, types, training);
  const torch::Tensor additive_mask = additive_attention_mask(mask);
  for (auto& layer : p.layers) hidden = layer.forward(config_, hidden, additive_mask, training);
  switch (head_) {
    case TaskHead::kSequenceClassification:
      out.logits = p.head.classify(config_, hidden, training);
      break;
    case TaskHead::kQuestionAnswering: {
      torch::Tensor both = p.head.answer_spans(config_, hidden, training);  // [B, S, 2]
      out.start_logits = both.select(-1, 0).contiguous();
      out.end_logits = both.select(-1, 1).contiguous();
      break;
    }
    case TaskHead::kMaskedLM:
      if (in.lm_positions.defined()) {
        JPQD_CHECK(in.lm_positions.sizes() == in.input_ids.sizes() && in.lm_positions.scalar_type() == torch::kBool,
                   InvalidArgument, "lm_positions must be a bool tensor shaped like input_ids");
        hidden = hidden.index({in.lm_positions});
      }
      out.logits = p.head.predict_tokens(config_, hidden, p.embeddings.word->weight);
      break;
  }
  return out;
}

torch::Tensor BertImpl::loss(const BertOutputs& out, const BertLabels& labels) const {
  namespace F = torch::nn::functional;
  switch (head_) {
    case TaskHead::kSequenceClassification: {
      JPQD_CHECK(labels.labels.defined(), InvalidArgument, "sequence classification needs labels");
      const int64_t n = config_.num_labels();
      std::string problem = config_.problem_type;
      if (problem.empty()) {  // HF infers it from num_labels and the label dtype
        const auto t = labels.labels.scalar_type();
        problem = n == 1 ? "regression"
                  : (t == torch::kLong || t == torch::kInt) ? "single_label_classification"
                                                            : "multi_label_classification";
      }
      if (problem == "regression") {
        if (n == 1) return F::mse_loss(out.logits.squeeze(), labels.labels.to(out.logits.dtype()).squeeze());
        return F::mse_loss(out.logits, labels.labels.to(out.logits.dtype()));
      }
      if (problem == "single_label_classification") {
        const torch::Tensor y = labels.labels.view({-1}).to(torch::kLong);
        if (y.numel() > 0) {
          const int64_t lo = y.min().item<int64_t>(), hi = y.max().item<int64_t>();
          JPQD_CHECK(lo >= 0 && hi < n, InvalidArgument, "labels in [", lo, ", ", hi, "] are outside the ", n,
                     " classes");
        }
        return F::cross_entropy(out.logits.view({-1, n}), y);
      }
      JPQD_CHECK(labels.labels.sizes() == out.logits.sizes(), InvalidArgument, "multi-label targets have shape ",
                 labels.labels.sizes(), ", logits ", out.logits.sizes());
      return F::binary_cross_entropy_with_logits(out.logits, labels.labels.to(out.logits.dtype()));
    }
    case TaskHead::kQuestionAnswering: {
      JPQD_CHECK(labels.start_positions.defined() && labels.end_positions.defined(), InvalidArgument,
                 "question answering needs start_positions and end_positions");
      torch::Tensor start = labels.start_positions, end = labels.end_positions;
      if (start.dim() > 1) start = start.squeeze(-1);
      if (end.dim() > 1) end = end.squeeze(-1);
      // Positions outside the sequence are clamped to its length and then ignored, as in HF.
      const int64_t ignored = out.start_logits.size(1);
      start = start.clamp(0, ignored);
      end = end.clamp(0, ignored);
      auto ce = F::CrossEntropyFuncOptions().ignore_index(ignored);
      return (F::cross_entropy(out.start_logits, start, ce) + F::cross_entropy(out.end_logits, end, ce)) / 2;
    }
    case TaskHead::kMaskedLM: {
      JPQD_CHECK(labels.labels.defined(), InvalidArgument, "masked LM needs labels");
      const int64_t v = config_.vocab_size;
      torch::Tensor y = labels.labels.to(torch::kLong);
      if (out.logits.dim() == 2) {  // logits at lm_positions only: they must be the labelled positions
        y = y.index({y != -100});
        JPQD_CHECK(y.size(0) == out.logits.size(0), InvalidArgument, "lm_positions select ", out.logits.size(0),
                   " positions but ", y.size(0), " are labelled");
      }
      return F::cross_entropy(out.logits.reshape({-1, v}), y.reshape({-1}),
                              F::CrossEntropyFuncOptions().ignore_index(-100));
    }
  }
  return {};
}

std::vector<std::string> BertImpl::hf_parameter_names() const {
  std::vector<std::string> names;
  for (const auto& spec : architecture().tensors(config_.shape(), head_)) names.push_back(spec.name);
  return names;
}

}  // namespace jpqd::model
