#include "format/tensor_names.h"

namespace jpqd::format::tensor_names {

namespace {
std::string layer_prefix(int layer) { return "encoder.layer." + std::to_string(layer); }
}  // namespace

std::string weight(const std::string& prefix) { return prefix + ".weight"; }
std::string bias(const std::string& prefix) { return prefix + ".bias"; }
std::string weight_scale(const std::string& prefix) { return prefix + ".weight_scale"; }

std::string word_embeddings() { return "embeddings.word_embeddings"; }
std::string position_embeddings() { return "embeddings.position_embeddings"; }
std::string token_type_embeddings() { return "embeddings.token_type_embeddings"; }
std::string embeddings_layer_norm() { return "embeddings.LayerNorm"; }

std::string query(int layer) { return layer_prefix(layer) + ".attention.self.query"; }
std::string key(int layer) { return layer_prefix(layer) + ".attention.self.key"; }
std::string value(int layer) { return layer_prefix(layer) + ".attention.self.value"; }
std::string attention_output(int layer) { return layer_prefix(layer) + ".attention.output.dense"; }
std::string attention_layer_norm(int layer) { return layer_prefix(layer) + ".attention.output.LayerNorm"; }
std::string intermediate(int layer) { return layer_prefix(layer) + ".intermediate.dense"; }
std::string output(int layer) { return layer_prefix(layer) + ".output.dense"; }
std::string output_layer_norm(int layer) { return layer_prefix(layer) + ".output.LayerNorm"; }

std::string pooler() { return "pooler.dense"; }
std::string classifier() { return "classifier"; }
std::string qa_outputs() { return "qa_outputs"; }

}  // namespace jpqd::format::tensor_names
