// Where the quantizers go (docs/algorithms.md 3.1), decided from the graph's node kinds and roles, and the
// settings each one gets from the config. A pure function of (config, graph): nothing is attached here.
//
// Weights: every kLinear node (weight, per output channel by default; the bias is not quantized) and every
// kEmbedding table (per row).
// Activations (per tensor):
//   - the shared input of Q, K and V (the kQkvInput hook point of each layer), one quantizer for all three;
//   - the input of every other Linear (attention output, intermediate, output, pooler, classifier /
//     qa_outputs, MLM head) as an input hook of that CompressibleLinear;
//   - both inputs of matmul_0 (Q·Kᵀ) on their kMatmul0Input0/1 hook points.
// Residual adds, LayerNorm, softmax, GELU, matmul_1 and the score scaling get no quantizer: their kOp nodes
// exist so that configs may name them in ignored_scopes.
//
// Scopes. A weight quantizer is selected by its node's scope. An activation quantizer belongs to the op(s)
// it feeds, as in NNCF: the Linear for a Linear input; Q, K and V for the shared Q/K/V input (kept while
// any of the three is kept, so ignoring "{re}.*layer_norm_0" does not remove it); the matmul_0 op for its
// inputs, whose node scope is matched both whole and up to a "|" (e.g. ".../matmul_0|INPUT0" also answers
// to ".../matmul_0"). A quantizer is dropped when every op it feeds is outside target_scopes or inside
// ignored_scopes (the global ones and its group's). scope_overrides apply in the order written, matched the
// same way.
#pragma once

#include <string>
#include <vector>

#include "compression/config/quantization_config.h"
#include "compression/quantization/fake_quantizer.h"
#include "model/model_graph.h"

namespace jpqd::compression {

enum class QuantizerKind { kWeight, kActivation };
const char* to_string(QuantizerKind kind);

struct QuantizerPlacement {
  enum class Target { kLinearWeight, kLinearInput, kHookPoint };
  const model::ModelNode* node = nullptr;  // valid while the graph it came from lives (during the build)
  std::string scope;                       // the node's scope (kept after the build)
  Target target = Target::kLinearWeight;
  QuantizerKind kind = QuantizerKind::kWeight;
  QuantizerSettings settings;
  std::string hook_name;  // "weight_quantizer", "input_quantizer" or "quantizer"
  std::string name;       // "<node name>.<hook name>"
};

// Throws InvalidArgument for scopes or scope_overrides that select nothing (unless validate_scopes is
// false) and for a config that leaves no quantizer at all.
std::vector<QuantizerPlacement> place_quantizers(const QuantizationConfig& config, const model::ModelGraph& graph);

}  // namespace jpqd::compression
