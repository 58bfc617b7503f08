#include "runtime/bert_engine.h"

#include <limits>

#include "common/error.h"
#include "format/tensor_names.h"
#include "runtime/ops/layer_norm.h"
#include "runtime/workspace.h"

namespace jpqd::runtime {

namespace names = format::tensor_names;

BertEngine::BertEngine(format::ModelFile file)
    : file_(std::move(file)),
      metadata_(format::ModelMetadata::from_json(file_.metadata(), file_.path() + ": metadata")) {
  const auto& arch = metadata_.architecture;
  const int64_t H = arch.hidden_size;
  loader_ = std::make_unique<WeightLoader>(file_, metadata_, &cache_);
  WeightLoader& loader = *loader_;
  word_ = loader.embedding(names::word_embeddings(), arch.vocab_size, H);
  position_ = loader.embedding(names::position_embeddings(), arch.max_position_embeddings, H);
  token_type_ = loader.embedding(names::token_type_embeddings(), arch.type_vocab_size, H);
  emb_gamma_ = loader.floats(names::weight(names::embeddings_layer_norm()), {uint64_t(H)});
  emb_beta_ = loader.floats(names::bias(names::embeddings_layer_norm()), {uint64_t(H)});
  for (int i = 0; i < arch.num_layers(); ++i) layers_.push_back(std::make_unique<EncoderLayer>(loader, metadata_, i));
  if (metadata_.task.type == format::TaskType::kSequenceClassification) {
    ops::LinearOptions tanh;
    tanh.activation = ops::Activation::kTanh;
    pooler_ = loader.linear(names::pooler(), H, H, tanh);
    classifier_ = loader.linear(names::classifier(), H, metadata_.task.num_labels, {});
  } else {
    qa_outputs_ = loader.linear(names::qa_outputs(), H, 2, {});
  }
  loader.check_everything_used();
}

EngineOutput BertEngine::forward(const int64_t* ids, const int64_t* mask, const int64_t* types, int64_t batch,
                                 int64_t seq_len) const {
  Workspace& ws = Workspace::for_this_thread();
  const int64_t H = metadata_.architecture.hidden_size, M = batch * seq_len;
  float* mask_bias = ws.get<float>(kSlotMaskBias, M);
  // Hugging Face adds (1 - mask) * finfo(float32).min to the scores.
  for (int64_t i = 0; i < M; ++i) mask_bias[i] = mask[i] != 0 ? 0.f : std::numeric_limits<float>::lowest();

  float* x = ws.get<float>(kSlotHidden, M * H);
  ops::embed(word_, position_, token_type_, ids, types, batch, seq_len, x);
  void* xq = ws.get(kSlotHiddenQuantized, static_cast<size_t>(M * H));
  const auto first_q = layers_.empty() ? std::nullopt : layers_[0]->input_quantizer();
  ops::layer_norm(x, M, H, emb_gamma_, emb_beta_, static_cast<float>(metadata_.architecture.layer_norm_eps),
                  first_q ? &*first_q : nullptr, xq);
  for (size_t i = 0; i < layers_.size(); ++i) {
    const auto& this_q = layers_[i]->input_quantizer();
    const auto* next_q = i + 1 < layers_.size() && layers_[i + 1]->input_quantizer()
                             ? &*layers_[i + 1]->input_quantizer()
                             : nullptr;
    // xq and the next layer's quantized input share one buffer: the layer reads xq before it writes.
    layers_[i]->forward(batch, seq_len, x, this_q ? xq : nullptr, mask_bias, next_q, xq);
  }

  EngineOutput out;
  if (classifier_) {
    float* cls = ws.get<float>(kSlotHeadInput, batch * H);
    for (int64_t b = 0; b < batch; ++b) std::copy(x + b * seq_len * H, x + b * seq_len * H + H, cls + b * H);
    float* pooled = ws.get<float>(kSlotHeadHidden, batch * H);
    pooler_->run(batch, cls, pooled);
    out.logits.resize(batch * classifier_->out_features());
    classifier_->run(batch, pooled, out.logits.data());
  } else {
    float* se = ws.get<float>(kSlotHeadOutput, M * 2);
    qa_outputs_->run(M, x, se);
    out.start_logits.resize(M);
    out.end_logits.resize(M);
    for (int64_t i = 0; i < M; ++i) {
      out.start_logits[i] = se[2 * i];
      out.end_logits[i] = se[2 * i + 1];
    }
  }
  return out;
}

}  // namespace jpqd::runtime
