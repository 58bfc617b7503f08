#include "export/onnx_bert_layers.h"

#include <cmath>
#include <limits>

#include "common/error.h"

namespace jpqd::exporter {

namespace {

using architecture::NodeRole;

// The Hugging Face module path of `role` in the exported model's family (layer -1: outside the encoder).
std::string module_of(const OnnxExportContext& ctx, NodeRole role, int64_t layer = -1) {
  const std::string path = ctx.model.config.architecture().module_path(role, static_cast<int>(layer));
  JPQD_CHECK(!path.empty(), InvalidArgument, "ONNX export: model_type \"", ctx.model.config.model_type,
             "\" has no module for this part of the graph");
  return path;
}

std::string emit_layer_norm(OnnxExportContext& ctx, const std::string& x, const std::string& module) {
  OnnxGraphBuilder& g = ctx.graph;
  const std::string gamma = g.add_initializer(module + ".weight", ctx.tensor(module + ".weight"));
  const std::string beta = g.add_initializer(module + ".bias", ctx.tensor(module + ".bias"));
  return g.node(
      "LayerNormalization", {x, gamma, beta}, module, "output",
      {onnx_attr("axis", int64_t{-1}), onnx_attr("epsilon", static_cast<float>(ctx.model.config.layer_norm_eps))});
}

// The table `name` as a float32 value: an initializer, or DequantizeLinear of its int8 rows.
std::string emit_embedding_table(OnnxExportContext& ctx, const std::string& name) {
  OnnxGraphBuilder& g = ctx.graph;
  const torch::Tensor& table = ctx.tensor(name);
  auto it = ctx.model.embeddings.find(name);
  if (it == ctx.model.embeddings.end()) return g.add_initializer(name, table);
  const WeightQuant& wq = it->second;
  const int64_t rows = table.size(0);
  JPQD_CHECK(wq.values.defined() && wq.values.scalar_type() == torch::kChar && wq.values.sizes() == table.sizes(),
             InvalidArgument, "ONNX export: quantized embedding \"", name, "\" must be int8 of shape ", table.sizes());
  JPQD_CHECK(wq.scales.defined() && wq.scales.scalar_type() == torch::kFloat && wq.scales.numel() == rows,
             InvalidArgument, "ONNX export: embedding scales of \"", name, "\" must be ", rows, " float32 values");
  const std::string values = g.add_initializer(name + "_quantized", wq.values);
  const std::string scales = g.add_initializer(name + "_scale", wq.scales.reshape({rows}));
  const std::string zeros = g.add_initializer(name + "_zero_point", torch::zeros({rows}, torch::kChar));
  return g.node("DequantizeLinear", {values, scales, zeros}, name, "dequantized", {onnx_attr("axis", int64_t{0})});
}

std::string emit_activation(OnnxExportContext& ctx, const std::string& x, const std::string& scope) {
  OnnxGraphBuilder& g = ctx.graph;
  const std::string& act = ctx.model.config.hidden_act;
  if (act == "relu") return g.node("Relu", {x}, scope, "relu");
  const std::string half_x = g.node("Mul", {x, g.float_constant(0.5f)}, scope, "gelu_half_x");
  std::string inner;
  if (act == "gelu" || act == "gelu_python") {
    // 0.5·x·(1 + erf(x/√2)): GELU itself is an operator only from opset 20.
    inner = g.node("Erf", {g.node("Mul", {x, g.float_constant(static_cast<float>(M_SQRT1_2))}, scope, "gelu_scaled")},
                   scope, "gelu_erf");
  } else if (act == "gelu_new" || act == "gelu_pytorch_tanh" || act == "gelu_fast") {
    // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    const std::string cube = g.node("Mul", {g.node("Mul", {x, x}, scope, "gelu_square"), x}, scope, "gelu_cube");
    const std::string sum =
        g.node("Add", {x, g.node("Mul", {cube, g.float_constant(0.044715f)}, scope, "gelu_cubic")}, scope, "gelu_sum");
    const float k = static_cast<float>(std::sqrt(2.0 / M_PI));
    inner = g.node("Tanh", {g.node("Mul", {sum, g.float_constant(k)}, scope, "gelu_scaled")}, scope, "gelu_tanh");
  } else {
    JPQD_CHECK(false, InvalidArgument, "ONNX export: hidden_act \"", act, "\" is not supported");
  }
  const std::string one_plus = g.node("Add", {inner, g.float_constant(1.0f)}, scope, "gelu_one_plus");
  return g.node("Mul", {half_x, one_plus}, scope, "gelu");
}

}  // namespace

std::string emit_embeddings(OnnxExportContext& ctx, const std::string& input_ids, const std::string& token_type_ids) {
  OnnxGraphBuilder& g = ctx.graph;
  const architecture::Architecture& family = ctx.model.config.architecture();
  const std::string scope = family.base_prefix + ".embeddings";
  const std::string word = emit_embedding_table(ctx, module_of(ctx, NodeRole::kWordEmbeddings) + ".weight");
  const std::string position = emit_embedding_table(ctx, module_of(ctx, NodeRole::kPositionEmbeddings) + ".weight");
  std::string x = g.node("Gather", {word, input_ids}, scope, "words", {onnx_attr("axis", int64_t{0})});
  if (family.token_type_embeddings) {
    const std::string type = emit_embedding_table(ctx, module_of(ctx, NodeRole::kTokenTypeEmbeddings) + ".weight");
    x = g.node("Add", {x, g.node("Gather", {type, token_type_ids}, scope, "token_types", {onnx_attr("axis", int64_t{0})})},
               scope, "words_plus_types");
  }
  std::string positions;
  if (family.position_ids == architecture::PositionIds::kArange) {
    // Positions 0..sequence-1 are the first rows of the table: a Slice up to the input's sequence length.
    const std::string seq = g.node("Shape", {input_ids}, scope, "sequence_length",
                                   {onnx_attr("start", int64_t{1}), onnx_attr("end", int64_t{2})});
    const std::string zero = g.int64_constant({0});
    positions = g.node("Slice", {position, zero, seq, zero}, scope, "positions");
  } else {
    // RoBERTa: pads at padding_idx, real tokens at padding_idx + their running count.
    const std::string pad = g.int64_scalar(ctx.model.config.pad_token_id);
    const std::string is_pad = g.node("Equal", {input_ids, pad}, scope, "is_pad");
    const std::string real = g.node("Cast", {g.node("Not", {is_pad}, scope, "is_real")}, scope, "real",
                                    {onnx_attr("to", int64_t{onnx::TensorProto::INT64})});
    const std::string count = g.node("CumSum", {real, g.int64_scalar(1)}, scope, "real_count");
    const std::string ids = g.node("Add", {g.node("Mul", {count, real}, scope, "real_positions"), pad}, scope,
                                   "position_ids");
    positions = g.node("Gather", {position, ids}, scope, "positions", {onnx_attr("axis", int64_t{0})});
  }
  x = g.node("Add", {x, positions}, scope, "sum");
  return emit_layer_norm(ctx, x, module_of(ctx, NodeRole::kEmbeddingsLayerNorm));
}

std::string emit_additive_mask(OnnxExportContext& ctx, const std::string& attention_mask) {
  OnnxGraphBuilder& g = ctx.graph;
  const std::string scope = "attention_mask";
  const std::string mask =
      g.node("Cast", {attention_mask}, scope, "float", {onnx_attr("to", int64_t{onnx::TensorProto::FLOAT})});
  const std::string inverted = g.node("Sub", {g.float_constant(1.0f), mask}, scope, "inverted");
  const std::string additive =
      g.node("Mul", {inverted, g.float_constant(std::numeric_limits<float>::lowest())}, scope, "additive");
  return g.node("Unsqueeze", {additive, g.int64_constant({1, 2})}, scope, "broadcast");
}

std::string emit_attention(OnnxExportContext& ctx, int64_t layer, const std::string& hidden,
                           const std::string& additive_mask) {
  OnnxGraphBuilder& g = ctx.graph;
  const model::BertConfig& c = ctx.model.config;
  const int64_t heads = c.layer_heads(layer), head_dim = c.head_dim();
  const std::string query = module_of(ctx, NodeRole::kQuery, layer), key = module_of(ctx, NodeRole::kKey, layer),
                    value = module_of(ctx, NodeRole::kValue, layer);
  const std::string self = query.substr(0, query.rfind('.'));  // node names' scope
  const std::string out = module_of(ctx, NodeRole::kAttentionOutput, layer);
  const bool query_prescaled = c.architecture().scale_query_before_scores;
  const std::string sqrt_head_dim = g.float_constant(static_cast<float>(std::sqrt(static_cast<double>(head_dim))));
  std::string projected;
  if (heads == 0) {
    // No context at all: the output Linear reduces to its bias.
    projected = g.add_initializer(out + ".bias", ctx.tensor(out + ".bias"));
  } else {
    // One quantizer feeds Q, K and V (NNCF shares it); the export may list it under any of the three.
    const ActivationQuant* shared = nullptr;
    for (const std::string& name : {query, key, value}) {
      const ActivationQuant* q = linear_input_quant(ctx.model, name);
      if (!q) continue;
      JPQD_CHECK(!shared || (shared->scale == q->scale && shared->zero_point == q->zero_point &&
                             shared->is_signed == q->is_signed),
                 InvalidArgument, "ONNX export: layer ", layer,
                 ": query, key and value must share one input quantizer, but ", name, " differs");
      shared = q;
    }
    const std::string x = shared ? emit_fake_quantize(ctx, hidden, *shared, self + ".qkv_input_quantizer") : hidden;
    const std::string split_shape = g.int64_constant({0, 0, heads, head_dim});
    auto split = [&](const std::string& module, const std::vector<int64_t>& perm) {
      const std::string y = emit_linear(ctx, module, x, /*quantize_input=*/false);
      const std::string r = g.node("Reshape", {y, split_shape}, module, "heads");
      return g.node("Transpose", {r}, module, "heads_transposed", {onnx_attr("perm", perm)});
    };
    std::string q = split(query, {0, 2, 1, 3});  // [B, h, S, d]
    std::string k = split(key, {0, 2, 3, 1});    // [B, h, d, S]: Kᵀ directly
    const std::string v = split(value, {0, 2, 1, 3});
    // DistilBERT divides Q before its quantizer and Q·Kᵀ; the others divide the scores.
    if (query_prescaled) q = g.node("Div", {q, sqrt_head_dim}, self, "query_scaled");
    auto q_it = ctx.model.query_quant.find(layer);
    if (q_it != ctx.model.query_quant.end())
      q = emit_fake_quantize(ctx, q, q_it->second, self + ".matmul_0_input_0_quantizer");
    auto k_it = ctx.model.key_quant.find(layer);
    if (k_it != ctx.model.key_quant.end())
      k = emit_fake_quantize(ctx, k, k_it->second, self + ".matmul_0_input_1_quantizer");
    std::string scores = g.node("MatMul", {q, k}, self, "scores");
    if (!query_prescaled) scores = g.node("Div", {scores, sqrt_head_dim}, self, "scores_scaled");
    scores = g.node("Add", {scores, additive_mask}, self, "scores_masked");
    const std::string probs = g.node("Softmax", {scores}, self, "probs", {onnx_attr("axis", int64_t{-1})});
    std::string context = g.node("MatMul", {probs, v}, self, "context_heads");
    context = g.node("Transpose", {context}, self, "context_transposed",
                     {onnx_attr("perm", std::vector<int64_t>{0, 2, 1, 3})});
    context = g.node("Reshape", {context, g.int64_constant({0, 0, heads * head_dim})}, self, "context");
    projected = emit_linear(ctx, out, context);
  }
  const std::string sum = g.node("Add", {projected, hidden}, out, "residual");
  return emit_layer_norm(ctx, sum, module_of(ctx, NodeRole::kAttentionLayerNorm, layer));
}

std::string emit_feed_forward(OnnxExportContext& ctx, int64_t layer, const std::string& hidden) {
  OnnxGraphBuilder& g = ctx.graph;
  const std::string intermediate = module_of(ctx, NodeRole::kIntermediate, layer);
  const std::string out = module_of(ctx, NodeRole::kOutput, layer);
  std::string projected;
  if (ctx.model.config.layer_intermediate(layer) == 0) {
    projected = g.add_initializer(out + ".bias", ctx.tensor(out + ".bias"));
  } else {
    const std::string act = emit_activation(ctx, emit_linear(ctx, intermediate, hidden), intermediate);
    projected = emit_linear(ctx, out, act);
  }
  const std::string sum = g.node("Add", {projected, hidden}, out, "residual");
  return emit_layer_norm(ctx, sum, module_of(ctx, NodeRole::kOutputLayerNorm, layer));
}

std::vector<std::string> emit_task_head(OnnxExportContext& ctx, const std::string& hidden) {
  OnnxGraphBuilder& g = ctx.graph;
  const std::string index0 = g.int64_scalar(0);
  if (ctx.model.head == model::TaskHead::kSequenceClassification) {
    // First token -> dense -> tanh (BERT's pooler, RoBERTa's classifier.dense) or ReLU (DistilBERT's
    // pre_classifier) -> classifier.
    const auto kind = ctx.model.config.architecture().classifier;
    const std::string dense =
        module_of(ctx, kind == architecture::ClassifierHead::kPooledTanh ? NodeRole::kPooler : NodeRole::kPreClassifier);
    const std::string first = g.node("Gather", {hidden, index0}, dense, "first_token", {onnx_attr("axis", int64_t{1})});
    const std::string projected = emit_linear(ctx, dense, first);
    const std::string activated = kind == architecture::ClassifierHead::kPreClassifierRelu
                                      ? g.node("Relu", {projected}, dense, "output")
                                      : g.node("Tanh", {projected}, dense, "output");
    emit_linear(ctx, module_of(ctx, NodeRole::kClassifier), activated, true, "logits");
    return {"logits"};
  }
  JPQD_CHECK(ctx.model.head == model::TaskHead::kQuestionAnswering, InvalidArgument,
             "ONNX export supports sequence classification and question answering heads, not ",
             model::task_head_architecture(ctx.model.head, ctx.model.config));
  const std::string both = emit_linear(ctx, module_of(ctx, NodeRole::kQaOutputs), hidden);  // [B, S, 2]
  g.node("Gather", {both, index0}, "", "start_logits", {onnx_attr("axis", int64_t{2})});
  g.node("Gather", {both, g.int64_scalar(1)}, "", "end_logits", {onnx_attr("axis", int64_t{2})});
  return {"start_logits", "end_logits"};
}

}  // namespace jpqd::exporter
