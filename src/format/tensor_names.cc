#include "format/tensor_names.h"

namespace jpqd::format::tensor_names {

using architecture::NodeRole;

std::string weight(const std::string& prefix) { return prefix + ".weight"; }
std::string bias(const std::string& prefix) { return prefix + ".bias"; }
std::string weight_scale(const std::string& prefix) { return prefix + ".weight_scale"; }

std::string of_role(const Architecture& arch, NodeRole role, int layer) {
  const std::string path = arch.module_path(role, layer);
  return path.empty() ? path : arch.file_name(path);
}

namespace {
std::string bert_name(NodeRole role, int layer = -1) { return of_role(architecture::bert_architecture(), role, layer); }
}  // namespace

std::string word_embeddings() { return bert_name(NodeRole::kWordEmbeddings); }
std::string position_embeddings() { return bert_name(NodeRole::kPositionEmbeddings); }
std::string token_type_embeddings() { return bert_name(NodeRole::kTokenTypeEmbeddings); }
std::string embeddings_layer_norm() { return bert_name(NodeRole::kEmbeddingsLayerNorm); }

std::string query(int layer) { return bert_name(NodeRole::kQuery, layer); }
std::string key(int layer) { return bert_name(NodeRole::kKey, layer); }
std::string value(int layer) { return bert_name(NodeRole::kValue, layer); }
std::string attention_output(int layer) { return bert_name(NodeRole::kAttentionOutput, layer); }
std::string attention_layer_norm(int layer) { return bert_name(NodeRole::kAttentionLayerNorm, layer); }
std::string intermediate(int layer) { return bert_name(NodeRole::kIntermediate, layer); }
std::string output(int layer) { return bert_name(NodeRole::kOutput, layer); }
std::string output_layer_norm(int layer) { return bert_name(NodeRole::kOutputLayerNorm, layer); }

std::string pooler() { return bert_name(NodeRole::kPooler); }
std::string classifier() { return bert_name(NodeRole::kClassifier); }
std::string qa_outputs() { return bert_name(NodeRole::kQaOutputs); }

}  // namespace jpqd::format::tensor_names
