// One BERT encoder layer (post-LayerNorm, Hugging Face semantics) with its own number of heads
// (possibly zero) and FFN width (possibly zero), INT8 or FP32 per Linear.
//
// Data flow for M = batch * seq_len rows, hidden x [M, H] updated in place:
//   qkv = [Q|K|V](x)            one fused GEMM when Q, K and V agree on type and input quantizer
//   ctx = attention(qkv)        ops/attention.h
//   x  += attention_output(ctx) residual fused as a sum post-op; then LayerNorm (+ quantize for FFN)
//   h   = act(intermediate(x))  GELU fused; requantized in the GEMM for an INT8 output dense
//   x  += output(h)             then LayerNorm (+ quantize for the next layer's Q/K/V)
#pragma once

#include <memory>
#include <optional>

#include "format/model_metadata.h"
#include "runtime/ops/attention.h"
#include "runtime/ops/linear.h"
#include "runtime/weight_loader.h"

namespace jpqd::runtime {

class EncoderLayer {
 public:
  EncoderLayer(WeightLoader& loader, const format::ModelMetadata& metadata, int layer);

  // The quantizer the layer wants its input pre-quantized with (fused Q/K/V, INT8), if any: the
  // previous LayerNorm writes that quantized copy so the layer does not re-read x.
  const std::optional<format::ActivationQuantizer>& input_quantizer() const { return fused_input_quantizer_; }

  // x: [batch * seq_len, hidden] f32, updated in place. xq: x quantized with input_quantizer() (or null
  // when there is none). next_quantizer / next_xq: where to write the output quantized for the next layer.
  void forward(int64_t batch, int64_t seq_len, float* x, const void* xq, const float* mask_bias,
               const format::ActivationQuantizer* next_quantizer, void* next_xq) const;

 private:
  int64_t hidden_ = 0;
  int64_t heads_ = 0;
  int64_t head_dim_ = 0;
  int64_t ffn_ = 0;
  float eps_ = 1e-12f;
  bool query_prescaled_ = false;
  std::optional<format::AttentionQuantizers> attention_quantizers_;
  std::unique_ptr<ops::Linear> qkv_;  // fused, or null
  std::unique_ptr<ops::Linear> q_, k_, v_;
  std::optional<format::ActivationQuantizer> fused_input_quantizer_;
  std::unique_ptr<ops::Linear> attention_output_;
  std::unique_ptr<ops::Linear> intermediate_;
  std::unique_ptr<ops::Linear> output_;
  const float* ln1_gamma_ = nullptr;
  const float* ln1_beta_ = nullptr;
  const float* ln2_gamma_ = nullptr;
  const float* ln2_beta_ = nullptr;
  std::vector<int8_t> fused_s8_;        // concatenated Q/K/V weights (INT8)
  std::vector<float> fused_f32_;        // concatenated Q/K/V weights (FP32)
  std::vector<float> fused_scale_, fused_bias_;
};

}  // namespace jpqd::runtime
