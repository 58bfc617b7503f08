#include "compression/quantization/quantizer_placement.h"

#include "common/error.h"
#include "common/logging.h"
#include "compression/config/scopes.h"

namespace jpqd::compression {

namespace {

using model::NodeKind;
using model::NodeRole;

const char* kQuantizer = "quantization";

// The names one op answers to.
using Aliases = std::vector<std::string>;

Aliases aliases_of(const std::string& scope) {
  Aliases a{scope};
  const auto bar = scope.find('|');
  if (bar != std::string::npos && bar > 0) a.push_back(scope.substr(0, bar));
  return a;
}

bool any_alias_matches(const std::vector<std::string>& patterns, const Aliases& aliases) {
  for (const auto& a : aliases)
    if (any_scope_matches(patterns, a)) return true;
  return false;
}

// Candidate quantizer before scope filtering: the ops it feeds (weights: the node itself).
struct Candidate {
  QuantizerPlacement placement;
  std::vector<Aliases> consumers;
};

QuantizerPlacement make(const model::ModelNode& node, QuantizerPlacement::Target target, QuantizerKind kind,
                        const std::string& hook) {
  QuantizerPlacement p;
  p.node = &node;
  p.scope = node.scope;
  p.target = target;
  p.kind = kind;
  p.hook_name = hook;
  p.name = node.name + "." + hook;
  return p;
}

bool is_qkv(NodeRole r) { return r == NodeRole::kQuery || r == NodeRole::kKey || r == NodeRole::kValue; }

std::vector<Candidate> candidates(const model::ModelGraph& graph) {
  std::vector<Candidate> out;
  for (const auto& node : graph) {
    switch (node.kind) {
      case NodeKind::kLinear: {
        TORCH_CHECK(node.linear != nullptr, "model graph: Linear node ", node.name, " without a layer");
        Candidate w;
        w.placement = make(node, QuantizerPlacement::Target::kLinearWeight, QuantizerKind::kWeight, "weight_quantizer");
        w.consumers = {aliases_of(node.scope)};
        out.push_back(w);
        if (!is_qkv(node.role)) {
          Candidate a;
          a.placement = make(node, QuantizerPlacement::Target::kLinearInput, QuantizerKind::kActivation, "input_quantizer");
          a.consumers = {aliases_of(node.scope)};
          out.push_back(a);
        }
        break;
      }
      case NodeKind::kEmbedding: {
        TORCH_CHECK(node.hook_point != nullptr && node.embedding_weight.defined(), "model graph: embedding node ",
                    node.name, " without a hook point or table");
        Candidate w;
        w.placement = make(node, QuantizerPlacement::Target::kHookPoint, QuantizerKind::kWeight, "weight_quantizer");
        w.consumers = {aliases_of(node.scope)};
        out.push_back(w);
        break;
      }
      case NodeKind::kActivation: {
        TORCH_CHECK(node.hook_point != nullptr, "model graph: activation node ", node.name, " without a hook point");
        Candidate a;
        a.placement = make(node, QuantizerPlacement::Target::kHookPoint, QuantizerKind::kActivation, "quantizer");
        if (node.role == NodeRole::kQkvInput) {
          for (const auto& other : graph)
            if (other.kind == NodeKind::kLinear && is_qkv(other.role) && other.layer_index == node.layer_index)
              a.consumers.push_back(aliases_of(other.scope));
          if (a.consumers.empty()) a.consumers = {aliases_of(node.scope)};
        } else if (node.role == NodeRole::kMatmul0Input0 || node.role == NodeRole::kMatmul0Input1) {
          a.consumers = {aliases_of(node.scope)};
        } else {
          log_debug(kQuantizer, ": no quantizer for activation node ", node.name, " (role not quantized)");
          break;
        }
        out.push_back(a);
        break;
      }
      case NodeKind::kOp:
        break;
    }
  }
  return out;
}

bool consumer_kept(const QuantizationConfig& c, const QuantizerGroupConfig& g, const Aliases& aliases) {
  if (!c.target_scopes.empty() && !any_alias_matches(c.target_scopes, aliases)) return false;
  if (!g.target_scopes.empty() && !any_alias_matches(g.target_scopes, aliases)) return false;
  return !any_alias_matches(c.ignored_scopes, aliases) && !any_alias_matches(g.ignored_scopes, aliases);
}

bool override_matches(const std::string& pattern, const Candidate& cand) {
  for (const auto& consumer : cand.consumers)
    if (any_alias_matches({pattern}, consumer)) return true;
  return false;
}

void check_scopes(const QuantizationConfig& c, const model::ModelGraph& graph, const std::vector<Candidate>& cands) {
  require_scopes_match(c.ignored_scopes, graph, str_cat(kQuantizer, ".ignored_scopes"));
  require_scopes_match(c.target_scopes, graph, str_cat(kQuantizer, ".target_scopes"));
  require_scopes_match(c.weights.ignored_scopes, graph, str_cat(kQuantizer, ".weights.ignored_scopes"));
  require_scopes_match(c.weights.target_scopes, graph, str_cat(kQuantizer, ".weights.target_scopes"));
  require_scopes_match(c.activations.ignored_scopes, graph, str_cat(kQuantizer, ".activations.ignored_scopes"));
  require_scopes_match(c.activations.target_scopes, graph, str_cat(kQuantizer, ".activations.target_scopes"));
  for (int weights = 1; weights >= 0; --weights) {
    const auto& overrides = weights ? c.weight_overrides : c.activation_overrides;
    const QuantizerKind kind = weights ? QuantizerKind::kWeight : QuantizerKind::kActivation;
    for (const auto& [pattern, spec] : overrides) {
      bool found = false;
      for (const auto& cand : cands)
        if (cand.placement.kind == kind && override_matches(pattern, cand)) found = true;
      JPQD_CHECK(found, InvalidArgument, kQuantizer, ".scope_overrides.", weights ? "weights" : "activations", "[\"",
                 pattern, "\"]: matches no ", weights ? "weight" : "activation", " quantizer of the model");
    }
  }
}

// overflow_fix "first_layer_only": the Linear layers the embeddings feed, i.e. Q, K and V of encoder layer 0
// (or the first Linear when the graph has no encoder).
bool is_first_layer(const model::ModelNode& node, const model::ModelGraph& graph) {
  bool has_encoder = false;
  for (const auto& n : graph) has_encoder = has_encoder || (n.kind == NodeKind::kLinear && is_qkv(n.role));
  if (has_encoder) return is_qkv(node.role) && node.layer_index == 0;
  for (const auto& n : graph)
    if (n.kind == NodeKind::kLinear) return &n == &node;
  return false;
}

QuantizerSettings settings_for(const QuantizationConfig& c, const Candidate& cand, const model::ModelGraph& graph) {
  const auto& p = cand.placement;
  const bool weights = p.kind == QuantizerKind::kWeight;
  QuantizerSpec spec = weights ? c.weight_spec() : c.activation_spec();
  for (const auto& [pattern, o] : weights ? c.weight_overrides : c.activation_overrides)
    if (override_matches(pattern, cand)) spec = apply_override(spec, o);
  QuantizerSettings s;
  s.mode = spec.mode;
  s.bits = spec.bits;
  s.is_weights = weights;
  s.per_channel = spec.per_channel;
  s.signedness_to_force = spec.is_signed;
  if (weights) {
    s.channels = p.node->kind == NodeKind::kLinear ? p.node->linear->out_features : p.node->embedding_weight.size(0);
    s.half_range = c.overflow_fix == OverflowFix::kEnable ||
                   (c.overflow_fix == OverflowFix::kFirstLayerOnly && p.node->kind == NodeKind::kLinear &&
                    is_first_layer(*p.node, graph));
    s.narrow_range = !s.half_range;
  }
  return s;
}

}  // namespace

const char* to_string(QuantizerKind kind) { return kind == QuantizerKind::kWeight ? "weight" : "activation"; }

std::vector<QuantizerPlacement> place_quantizers(const QuantizationConfig& config, const model::ModelGraph& graph) {
  const std::vector<Candidate> cands = candidates(graph);
  if (config.validate_scopes) check_scopes(config, graph, cands);
  std::vector<QuantizerPlacement> out;
  for (const auto& cand : cands) {
    const bool weights = cand.placement.kind == QuantizerKind::kWeight;
    const QuantizerGroupConfig& group = weights ? config.weights : config.activations;
    bool kept = false;
    for (const auto& consumer : cand.consumers) kept = kept || consumer_kept(config, group, consumer);
    if (!kept) {
      log_debug(kQuantizer, ": ignoring ", cand.placement.name);
      continue;
    }
    QuantizerPlacement p = cand.placement;
    p.settings = settings_for(config, cand, graph);
    out.push_back(p);
  }
  JPQD_CHECK(!out.empty(), InvalidArgument, kQuantizer,
             ": no quantizer left after target_scopes and ignored_scopes; nothing would be quantized");
  return out;
}

}  // namespace jpqd::compression
