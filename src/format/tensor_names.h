// The one table of tensor names in a model file, used by the exporter (writer) and the runtime
// (reader) alike so they cannot drift. Names follow Hugging Face's BertModel parameters without the
// "bert." prefix. A Linear "<L>" stores "<L>.weight" [out, in] and "<L>.bias" [out]; when it is
// INT8, "<L>.weight" is s8 and "<L>.weight_scale" f32 [out] holds its per-output-row step.
// An embedding table "<E>.weight" [rows, hidden] is f32/f16, or s8 with "<E>.weight_scale" f32 [rows].
#pragma once

#include <string>

namespace jpqd::format::tensor_names {

// Suffixes of a Linear or embedding prefix.
std::string weight(const std::string& prefix);        // prefix + ".weight"
std::string bias(const std::string& prefix);          // prefix + ".bias"
std::string weight_scale(const std::string& prefix);  // prefix + ".weight_scale"

// Embedding prefixes.
std::string word_embeddings();        // "embeddings.word_embeddings"
std::string position_embeddings();    // "embeddings.position_embeddings"
std::string token_type_embeddings();  // "embeddings.token_type_embeddings"
std::string embeddings_layer_norm();  // "embeddings.LayerNorm" (.weight = gamma, .bias = beta)

// Per encoder layer prefixes ("encoder.layer.<i>....").
std::string query(int layer);                  // .attention.self.query
std::string key(int layer);                    // .attention.self.key
std::string value(int layer);                  // .attention.self.value
std::string attention_output(int layer);       // .attention.output.dense
std::string attention_layer_norm(int layer);   // .attention.output.LayerNorm
std::string intermediate(int layer);           // .intermediate.dense
std::string output(int layer);                 // .output.dense
std::string output_layer_norm(int layer);      // .output.LayerNorm

// Heads.
std::string pooler();       // "pooler.dense" (sequence classification only)
std::string classifier();   // "classifier"   (sequence classification)
std::string qa_outputs();   // "qa_outputs"   (question answering: 2 rows, start then end)

}  // namespace jpqd::format::tensor_names
