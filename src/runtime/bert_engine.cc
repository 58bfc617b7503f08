#include "runtime/bert_engine.h"

#include <limits>

#include "common/error.h"
#include "format/tensor_names.h"
#include "runtime/ops/layer_norm.h"
#include "runtime/workspace.h"

namespace jpqd::runtime {

namespace names = format::tensor_names;
using architecture::NodeRole;

BertEngine::BertEngine(format::ModelFile file)
    : file_(std::move(file)),
      metadata_(format::ModelMetadata::from_json(file_.metadata(), file_.path() + ": metadata")) {
  const auto& arch = metadata_.architecture;
  const int64_t H = arch.hidden_size;
  loader_ = std::make_unique<WeightLoader>(file_, metadata_, &cache_);
  WeightLoader& loader = *loader_;
  const architecture::Architecture& family = arch.family(file_.path() + ": metadata.architecture");
  auto name = [&](NodeRole role) { return names::of_role(family, role); };
  word_ = loader.embedding(name(NodeRole::kWordEmbeddings), arch.vocab_size, H);
  position_ = loader.embedding(name(NodeRole::kPositionEmbeddings), arch.max_position_embeddings, H);
  if (arch.token_type_embeddings)
    token_type_ = loader.embedding(name(NodeRole::kTokenTypeEmbeddings), arch.type_vocab_size, H);
  const std::string embeddings_layer_norm = name(NodeRole::kEmbeddingsLayerNorm);
  emb_gamma_ = loader.floats(names::weight(embeddings_layer_norm), {uint64_t(H)});
  emb_beta_ = loader.floats(names::bias(embeddings_layer_norm), {uint64_t(H)});
  for (int i = 0; i < arch.num_layers(); ++i) layers_.push_back(std::make_unique<EncoderLayer>(loader, metadata_, i));
  if (metadata_.task.type == format::TaskType::kSequenceClassification) {
    ops::LinearOptions dense;
    const bool relu = arch.classifier_head == architecture::ClassifierHead::kPreClassifierRelu;
    dense.activation = relu ? ops::Activation::kRelu : ops::Activation::kTanh;
    const NodeRole dense_role =
        arch.classifier_head == architecture::ClassifierHead::kPooledTanh ? NodeRole::kPooler : NodeRole::kPreClassifier;
    const std::string dense_name = name(dense_role);
    JPQD_CHECK(!dense_name.empty(), FormatError, file_.path(), ": metadata: classifier_head does not fit model_type \"",
               arch.model_type, "\" (it has no such dense layer)");
    head_dense_ = loader.linear(dense_name, H, H, dense);
    classifier_ = loader.linear(name(NodeRole::kClassifier), H, metadata_.task.num_labels, {});
  } else {
    qa_outputs_ = loader.linear(name(NodeRole::kQaOutputs), H, 2, {});
  }
  loader.tokenizer_files();
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
  int64_t* positions = nullptr;
  if (metadata_.architecture.position_ids == architecture::PositionIds::kCountingNonPadding) {
    positions = ws.get<int64_t>(kSlotPositionIds, M);
    ops::count_non_padding_positions(ids, batch, seq_len, metadata_.architecture.padding_idx, positions);
  }
  ops::embed(word_, position_, token_type_, ids, types, positions, batch, seq_len, x);
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
    head_dense_->run(batch, cls, pooled);
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
