#include "model/bert_model.h"

#include <limits>

#include "model/module_paths.h"

namespace jpqd::model {

using architecture::ModuleSpec;
using architecture::ModuleType;
using architecture::NodeKind;
using architecture::NodeRole;

torch::Tensor additive_attention_mask(const torch::Tensor& attention_mask) {
  torch::Tensor m = attention_mask.to(torch::kFloat32).unsqueeze(1).unsqueeze(2);
  return (1.0 - m) * static_cast<double>(std::numeric_limits<float>::lowest());
}

namespace {

void place_linear(EncoderParts& p, const ModuleSpec& m, CompressibleLinear linear) {
  auto layer = [&]() -> EncoderLayerParts& { return p.layers.at(m.layer); };
  switch (m.role) {
    case NodeRole::kQuery: layer().attention.query = linear; break;
    case NodeRole::kKey: layer().attention.key = linear; break;
    case NodeRole::kValue: layer().attention.value = linear; break;
    case NodeRole::kAttentionOutput: layer().attention.output = linear; break;
    case NodeRole::kIntermediate: layer().ffn.intermediate = linear; break;
    case NodeRole::kOutput: layer().ffn.output = linear; break;
    case NodeRole::kPooler: p.head.pooler = linear; break;
    case NodeRole::kPreClassifier: p.head.pre_classifier = linear; break;
    case NodeRole::kClassifier: p.head.classifier = linear; break;
    case NodeRole::kQaOutputs: p.head.qa_outputs = linear; break;
    case NodeRole::kMlmTransform: p.head.mlm_transform = linear; break;
    default: TORCH_CHECK(false, "architecture: Linear ", m.path, " has a role the model does not place");
  }
}

void place_layer_norm(EncoderParts& p, const ModuleSpec& m, torch::nn::LayerNorm norm) {
  switch (m.role) {
    case NodeRole::kEmbeddingsLayerNorm: p.embeddings.layer_norm = norm; break;
    case NodeRole::kAttentionLayerNorm: p.layers.at(m.layer).attention.layer_norm = norm; break;
    case NodeRole::kOutputLayerNorm: p.layers.at(m.layer).ffn.layer_norm = norm; break;
    case NodeRole::kMlmLayerNorm: p.head.mlm_layer_norm = norm; break;
    default: TORCH_CHECK(false, "architecture: LayerNorm ", m.path, " has a role the model does not place");
  }
}

void place_embedding(EncoderParts& p, const ModuleSpec& m, HookedEmbedding table) {
  switch (m.role) {
    case NodeRole::kWordEmbeddings: p.embeddings.word = table; break;
    case NodeRole::kPositionEmbeddings: p.embeddings.position = table; break;
    case NodeRole::kTokenTypeEmbeddings: p.embeddings.token_type = table; break;
    default: TORCH_CHECK(false, "architecture: embedding ", m.path, " has a role the model does not place");
  }
}

void place_hook_point(EncoderParts& p, NodeRole role, int layer, TensorHookPoint point) {
  AttentionParts& a = p.layers.at(layer).attention;
  switch (role) {
    case NodeRole::kQkvInput: a.qkv_input = point; break;
    case NodeRole::kMatmul0Input0: a.matmul_0_input_0 = point; break;
    case NodeRole::kMatmul0Input1: a.matmul_0_input_1 = point; break;
    default: TORCH_CHECK(false, "architecture: activation hook point with a role the model does not place");
  }
}

}  // namespace

EncoderParts build_encoder_parts(torch::nn::Module& root, const BertConfig& c, architecture::TaskHead head) {
  const architecture::Architecture& arch = c.architecture();
  const architecture::EncoderShape shape = c.shape();
  EncoderParts p;
  p.layers.resize(c.num_hidden_layers);
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    p.layers[l].attention.num_heads = c.layer_heads(l);
    p.layers[l].attention.head_dim = c.head_dim();
  }
  for (const ModuleSpec& m : arch.modules(arch, shape, head)) {
    switch (m.type) {
      case ModuleType::kLinear: {
        CompressibleLinear linear(m.cols, m.rows);
        register_module_at(root, m.path, linear.ptr());
        p.linears[m.path] = linear.get();
        place_linear(p, m, linear);
        break;
      }
      case ModuleType::kEmbedding: {
        HookedEmbedding table(m.rows, m.cols, m.padding_idx);
        register_module_at(root, m.path, table.ptr());
        p.embedding_tables[m.path] = table.get();
        place_embedding(p, m, table);
        break;
      }
      case ModuleType::kLayerNorm: {
        torch::nn::LayerNorm norm(torch::nn::LayerNormOptions({m.cols}).eps(c.layer_norm_eps));
        register_module_at(root, m.path, norm.ptr());
        place_layer_norm(p, m, norm);
        break;
      }
      case ModuleType::kBias:
        TORCH_CHECK(m.role == NodeRole::kMlmBias, "architecture: bare parameter ", m.path, " without a place");
        p.head.mlm_bias = register_parameter_at(root, m.path, torch::zeros({m.rows}));
        break;
    }
  }
  // Hook points last: they hold no tensors until compression attaches hooks, so the parameter order above
  // stays the state dict's.
  for (const auto& node : arch.nodes(arch, shape, head)) {
    if (node.kind != NodeKind::kActivation) continue;
    TensorHookPoint point;
    register_module_at(root, node.name, point.ptr());
    p.hook_points[node.name] = point.get();
    place_hook_point(p, node.role, node.layer, point);
  }
  return p;
}

}  // namespace jpqd::model
