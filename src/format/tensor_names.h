// Tensor names in a model file: the exporter (writer) and the runtime (reader) both take them from the
// family's description (architecture/architecture.h), so they cannot drift. A name is the family's Hugging
// Face parameter name without the base model's prefix ("bert.", "roberta.", "distilbert."). A Linear "<L>"
// stores "<L>.weight" [out, in] and "<L>.bias" [out]; when it is INT8, "<L>.weight" is s8 and
// "<L>.weight_scale" f32 [out] holds its per-output-row step. An embedding table "<E>.weight"
// [rows, hidden] is f32/f16, or s8 with "<E>.weight_scale" f32 [rows].
//
// The functions without an architecture argument name BERT's tensors.
#pragma once

#include <string>

#include "architecture/architecture.h"

namespace jpqd::format::tensor_names {

using architecture::Architecture;

// Suffixes of a Linear or embedding prefix.
std::string weight(const std::string& prefix);        // prefix + ".weight"
std::string bias(const std::string& prefix);          // prefix + ".bias"
std::string weight_scale(const std::string& prefix);  // prefix + ".weight_scale"

// The model-file prefix of the module with `role` in `layer` (-1 outside the encoder); "" when the family
// has no such module (DistilBERT's token types, BERT's pre-classifier).
std::string of_role(const Architecture& arch, architecture::NodeRole role, int layer = -1);

// BERT's prefixes.
std::string word_embeddings();        // "embeddings.word_embeddings"
std::string position_embeddings();    // "embeddings.position_embeddings"
std::string token_type_embeddings();  // "embeddings.token_type_embeddings"
std::string embeddings_layer_norm();  // "embeddings.LayerNorm" (.weight = gamma, .bias = beta)
std::string query(int layer);                  // "encoder.layer.<i>.attention.self.query"
std::string key(int layer);                    // .attention.self.key
std::string value(int layer);                  // .attention.self.value
std::string attention_output(int layer);       // .attention.output.dense
std::string attention_layer_norm(int layer);   // .attention.output.LayerNorm
std::string intermediate(int layer);           // .intermediate.dense
std::string output(int layer);                 // .output.dense
std::string output_layer_norm(int layer);      // .output.LayerNorm
std::string pooler();       // "pooler.dense" (sequence classification only)
std::string classifier();   // "classifier"   (sequence classification)
std::string qa_outputs();   // "qa_outputs"   (question answering: 2 rows, start then end)

}  // namespace jpqd::format::tensor_names
