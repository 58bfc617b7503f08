#include "architecture/bert_like_layers.h"

namespace jpqd::architecture {

void add_bert_like_layer_modules(ModuleTable& t, const std::string& base, const EncoderShape& s) {
  const int64_t h = s.hidden_size;
  for (int l = 0; l < s.num_layers; ++l) {
    const std::string p = base + ".encoder.layer." + std::to_string(l) + ".";
    const int64_t inner = s.heads.at(l) * s.head_dim;
    const int64_t ffn = s.intermediate.at(l);
    t.linear(p + "attention.self.query", NodeRole::kQuery, l, h, inner);
    t.linear(p + "attention.self.key", NodeRole::kKey, l, h, inner);
    t.linear(p + "attention.self.value", NodeRole::kValue, l, h, inner);
    t.linear(p + "attention.output.dense", NodeRole::kAttentionOutput, l, inner, h);
    t.layer_norm(p + "attention.output.LayerNorm", NodeRole::kAttentionLayerNorm, l, h);
    t.linear(p + "intermediate.dense", NodeRole::kIntermediate, l, h, ffn);
    t.linear(p + "output.dense", NodeRole::kOutput, l, ffn, h);
    t.layer_norm(p + "output.LayerNorm", NodeRole::kOutputLayerNorm, l, h);
  }
}

void add_bert_like_layer_nodes(NodeTable& b, const std::string& base, const std::string& cls,
                               const std::string& model, const EncoderShape& shape) {
  for (int l = 0; l < shape.num_layers; ++l) {
    const std::string n = base + ".encoder.layer." + std::to_string(l) + ".";
    const std::string s = model + cls + "Encoder[encoder]/ModuleList[layer]/" + cls + "Layer[" + std::to_string(l) + "]/";
    const std::string att = s + cls + "Attention[attention]/";
    const std::string self = att + cls + "SelfAttention[self]/";
    const std::string self_out = att + cls + "SelfOutput[output]/";
    b.activation(n + "attention.self.qkv_input", self + "qkv_input", NodeRole::kQkvInput, l);
    b.linear(n + "attention.self.query", self + "NNCFLinear[query]/", NodeRole::kQuery, l);
    b.linear(n + "attention.self.key", self + "NNCFLinear[key]/", NodeRole::kKey, l);
    b.linear(n + "attention.self.value", self + "NNCFLinear[value]/", NodeRole::kValue, l);
    b.activation(n + "attention.self.matmul_0_input_0", self + "matmul_0|INPUT0", NodeRole::kMatmul0Input0, l);
    b.activation(n + "attention.self.matmul_0_input_1", self + "matmul_0|INPUT1", NodeRole::kMatmul0Input1, l);
    b.op(n + "attention.self.matmul_0", self + "matmul_0", l);
    b.op(n + "attention.self.truediv", self + "__truediv___0", l);
    b.op(n + "attention.self.mask_add", self + "__add___0", l);
    b.op(n + "attention.self.softmax", self + "softmax_0", l);
    b.op(n + "attention.self.dropout", self + "Dropout[dropout]/dropout_0", l);
    b.op(n + "attention.self.matmul_1", self + "matmul_1", l);
    b.linear(n + "attention.output.dense", self_out + "NNCFLinear[dense]/", NodeRole::kAttentionOutput, l);
    b.op(n + "attention.output.dropout", self_out + "Dropout[dropout]/dropout_0", l);
    b.op(n + "attention.output.add", self_out + "__add___0", l);
    b.op(n + "attention.output.LayerNorm", self_out + "NNCFLayerNorm[LayerNorm]/layer_norm_0", l);
    const std::string inter = s + cls + "Intermediate[intermediate]/";
    b.linear(n + "intermediate.dense", inter + "NNCFLinear[dense]/", NodeRole::kIntermediate, l);
    b.op(n + "intermediate.intermediate_act_fn", inter + activation_scope(shape.hidden_act, "intermediate_act_fn"), l);
    const std::string out = s + cls + "Output[output]/";
    b.linear(n + "output.dense", out + "NNCFLinear[dense]/", NodeRole::kOutput, l);
    b.op(n + "output.dropout", out + "Dropout[dropout]/dropout_0", l);
    b.op(n + "output.add", out + "__add___0", l);
    b.op(n + "output.LayerNorm", out + "NNCFLayerNorm[LayerNorm]/layer_norm_0", l);
  }
}

void add_extended_mask_nodes(NodeTable& b, const std::string& base, const std::string& model) {
  b.op(base + ".extended_attention_mask.rsub", model + "__rsub___0");
  b.op(base + ".extended_attention_mask.mul", model + "__mul___0");
}

}  // namespace jpqd::architecture
