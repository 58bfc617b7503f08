// What a part of an encoder is for, independent of the family that names it. Compression, export and the
// runtime find structure through these roles (which Linears form an attention head, which an FFN neuron),
// never by parsing a family's module names.
#pragma once

namespace jpqd::architecture {

enum class TaskHead { kSequenceClassification, kQuestionAnswering, kMaskedLM };

enum class NodeKind {
  kLinear,      // a compressible Linear: weight/bias hooks and input hooks
  kEmbedding,   // an embedding table: its hook point transforms the table before the lookup
  kActivation,  // an activation hook point that is not a Linear input (Q/K/V input, matmul_0 inputs)
  kOp,          // a node with no hook (residual add, layer_norm, softmax, matmul_1, ...): it exists so that
                // ignored_scopes naming it are valid, as in NNCF
};

enum class NodeRole {
  // Attention heads: rows of Q/K/V and columns of the attention output, head_dim at a time.
  kQuery, kKey, kValue, kAttentionOutput,
  // FFN neurons: rows of the intermediate Linear and columns of the output Linear.
  kIntermediate, kOutput,
  kPooler,         // BERT's pooler.dense (tanh) on the first token
  kClassifier,     // the last Linear of sequence classification (classifier, classifier.out_proj)
  kQaOutputs,
  kMlmTransform, kMlmDecoder,
  kWordEmbeddings, kPositionEmbeddings, kTokenTypeEmbeddings,
  kQkvInput,       // hidden states entering Q, K and V (one shared activation quantizer)
  kMatmul0Input0,  // query entering Q·Kᵀ
  kMatmul0Input1,  // key entering Q·Kᵀ
  kOther,
  // Roles of tensors that are not graph nodes of their own kind (module tables only).
  kPreClassifier,  // the dense layer between the first token and the classifier outside a pooler
                   // (RoBERTa's classifier.dense, DistilBERT's pre_classifier)
  kEmbeddingsLayerNorm, kAttentionLayerNorm, kOutputLayerNorm, kMlmLayerNorm,
  kMlmBias,        // the vocabulary bias of the tied masked-LM decoder
};

}  // namespace jpqd::architecture
