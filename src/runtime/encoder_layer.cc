#include "runtime/encoder_layer.h"

#include <cmath>

#include "common/error.h"
#include "format/tensor_names.h"
#include "runtime/ops/layer_norm.h"
#include "runtime/workspace.h"

namespace jpqd::runtime {

namespace names = format::tensor_names;
using architecture::NodeRole;

namespace {

// Divides the Q columns of the projected rows by sqrt(head_dim), as DistilBERT does before Q·Kᵀ.
void divide_query_rows(float* q, int64_t rows, int64_t width, int64_t ld, int64_t head_dim) {
  const float divisor = std::sqrt(static_cast<float>(head_dim));
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < width; ++i) q[r * ld + i] /= divisor;
}

ops::Activation activation_of(format::HiddenAct act) {
  switch (act) {
    case format::HiddenAct::kGelu: return ops::Activation::kGeluErf;
    case format::HiddenAct::kGeluNew: return ops::Activation::kGeluTanh;
    case format::HiddenAct::kRelu: return ops::Activation::kRelu;
  }
  return ops::Activation::kGeluErf;
}

}  // namespace

EncoderLayer::EncoderLayer(WeightLoader& loader, const format::ModelMetadata& metadata, int layer) {
  const auto& arch = metadata.architecture;
  const auto& shape = arch.layers.at(layer);
  hidden_ = arch.hidden_size;
  heads_ = shape.num_heads;
  head_dim_ = shape.head_dim;
  ffn_ = shape.intermediate_size;
  eps_ = static_cast<float>(arch.layer_norm_eps);
  query_prescaled_ = arch.query_scaled_before_scores;
  const architecture::Architecture& family = arch.family("metadata.architecture.model_type");
  auto name = [&](NodeRole role) { return names::of_role(family, role, layer); };
  const int64_t A = heads_ * head_dim_, H = hidden_;
  if (!metadata.quantization.attention.empty()) attention_quantizers_ = metadata.quantization.attention.at(layer);

  auto q = loader.linear_tensors(name(NodeRole::kQuery), H, A);
  auto k = loader.linear_tensors(name(NodeRole::kKey), H, A);
  auto v = loader.linear_tensors(name(NodeRole::kValue), H, A);
  const bool same_type = (q.weights.s8 != nullptr) == (k.weights.s8 != nullptr) &&
                         (q.weights.s8 != nullptr) == (v.weights.s8 != nullptr);
  const bool same_quantizer = q.input_quantizer == k.input_quantizer && q.input_quantizer == v.input_quantizer;
  if (A > 0 && same_type && same_quantizer) {
    // One GEMM of N = 3A instead of three of N = A: better blocking and one pass over x.
    ops::LinearWeights fused;
    fused.in_features = H;
    fused.out_features = 3 * A;
    fused_bias_.reserve(3 * A);
    for (const auto* t : {&q, &k, &v}) {
      fused_bias_.insert(fused_bias_.end(), t->weights.bias, t->weights.bias + A);
      if (t->weights.s8 != nullptr) {
        fused_s8_.insert(fused_s8_.end(), t->weights.s8, t->weights.s8 + A * H);
        fused_scale_.insert(fused_scale_.end(), t->weights.weight_scale, t->weights.weight_scale + A);
      } else {
        fused_f32_.insert(fused_f32_.end(), t->weights.f32, t->weights.f32 + A * H);
      }
    }
    fused.bias = fused_bias_.data();
    if (q.weights.s8 != nullptr) {
      fused.s8 = fused_s8_.data();
      fused.weight_scale = fused_scale_.data();
    } else {
      fused.f32 = fused_f32_.data();
    }
    qkv_ = loader.make_linear(fused, q.input_quantizer, {});
    fused_input_quantizer_ = qkv_->options().input_quantizer;
    // The packed copy inside the Linear is what runs; the staging copies can go.
    fused_s8_ = {};
    fused_f32_ = {};
  } else {
    q_ = loader.make_linear(q.weights, q.input_quantizer, {});
    k_ = loader.make_linear(k.weights, k.input_quantizer, {});
    v_ = loader.make_linear(v.weights, v.input_quantizer, {});
  }

  ops::LinearOptions residual;
  residual.accumulate = true;
  attention_output_ = loader.linear(name(NodeRole::kAttentionOutput), A, H, residual);
  ln1_gamma_ = loader.floats(names::weight(name(NodeRole::kAttentionLayerNorm)), {uint64_t(H)});
  ln1_beta_ = loader.floats(names::bias(name(NodeRole::kAttentionLayerNorm)), {uint64_t(H)});

  ops::LinearOptions ffn1;
  ffn1.activation = activation_of(arch.hidden_act);
  // Requantize inside the first FFN GEMM when the second consumes INT8: h never exists in f32.
  const auto out_quantizer = loader.input_quantizer(name(NodeRole::kOutput));
  if (ffn_ > 0 && out_quantizer) ffn1.output_quantizer = out_quantizer;
  intermediate_ = loader.linear(name(NodeRole::kIntermediate), H, ffn_, ffn1);
  output_ = loader.linear(name(NodeRole::kOutput), ffn_, H, residual);
  ln2_gamma_ = loader.floats(names::weight(name(NodeRole::kOutputLayerNorm)), {uint64_t(H)});
  ln2_beta_ = loader.floats(names::bias(name(NodeRole::kOutputLayerNorm)), {uint64_t(H)});
}

void EncoderLayer::forward(int64_t batch, int64_t seq_len, float* x, const void* xq, const float* mask_bias,
                           const format::ActivationQuantizer* next_quantizer, void* next_xq) const {
  Workspace& ws = Workspace::for_this_thread();
  const int64_t M = batch * seq_len, A = heads_ * head_dim_, H = hidden_;

  if (A > 0) {
    float* qkv = ws.get<float>(kSlotQkv, M * 3 * A);
    float *qp, *kp, *vp;
    int64_t ld;
    if (qkv_) {
      if (xq != nullptr) qkv_->run_quantized(M, xq, qkv);
      else qkv_->run(M, x, qkv);
      qp = qkv, kp = qkv + A, vp = qkv + 2 * A, ld = 3 * A;
    } else {
      q_->run(M, x, qkv);
      k_->run(M, x, qkv + M * A);
      v_->run(M, x, qkv + 2 * M * A);
      qp = qkv, kp = qkv + M * A, vp = qkv + 2 * M * A, ld = A;
    }
    if (query_prescaled_) divide_query_rows(qp, M, A, ld, head_dim_);
    float* ctx = ws.get<float>(kSlotContext, M * A);
    ops::attention({batch, seq_len, heads_, head_dim_, query_prescaled_}, qp, kp, vp, ld, mask_bias,
                   attention_quantizers_ ? &*attention_quantizers_ : nullptr, ctx);
    attention_output_->run(M, ctx, x);
  } else {
    attention_output_->run(M, nullptr, x);  // no heads: the block is its output bias
  }

  void* hq = nullptr;
  const auto& ffn1_q = intermediate_->options().input_quantizer;
  if (ffn1_q) hq = ws.get(kSlotHiddenQuantized, static_cast<size_t>(M * H));
  ops::layer_norm(x, M, H, ln1_gamma_, ln1_beta_, eps_, ffn1_q ? &*ffn1_q : nullptr, hq);

  void* inter = ws.get(kSlotIntermediate, static_cast<size_t>(M * std::max<int64_t>(ffn_, 1)) *
                                              (intermediate_->options().output_quantizer ? 1 : 4));
  if (hq != nullptr) intermediate_->run_quantized(M, hq, inter);
  else intermediate_->run(M, x, inter);
  if (intermediate_->options().output_quantizer) output_->run_quantized(M, inter, x);
  else output_->run(M, static_cast<const float*>(inter), x);

  ops::layer_norm(x, M, H, ln2_gamma_, ln2_beta_, eps_, next_quantizer, next_xq);
}

}  // namespace jpqd::runtime
