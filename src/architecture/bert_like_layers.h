// The post-LayerNorm encoder layer that BERT, RoBERTa and XLM-RoBERTa share (attention.self.{query,key,value},
// attention.output.{dense,LayerNorm}, intermediate.dense, output.{dense,LayerNorm}); only the class names
// in the scopes and the base model's attribute differ between them.
#pragma once

#include <string>

#include "architecture/encoder_shape.h"
#include "architecture/module_spec.h"

namespace jpqd::architecture {

// "<base>.encoder.layer.<i>.*" for every layer, in state-dict order.
void add_bert_like_layer_modules(ModuleTable& table, const std::string& base_prefix, const EncoderShape& shape);

// The nodes of every layer; `model_scope` ends with "<Prefix>Model[<base>]/".
void add_bert_like_layer_nodes(NodeTable& table, const std::string& base_prefix, const std::string& class_prefix,
                               const std::string& model_scope, const EncoderShape& shape);

// HF's get_extended_attention_mask at the base model's scope: (1 - mask) then × finfo.min.
void add_extended_mask_nodes(NodeTable& table, const std::string& base_prefix, const std::string& model_scope);

}  // namespace jpqd::architecture
