#include "compression/config/quantization_config.h"

#include <cmath>

#include "common/error.h"
#include "common/logging.h"
#include "compression/config/algorithm_keys.h"
#include "compression/config/scopes.h"

namespace jpqd::compression {

namespace {

// Only 8-bit quantizers can be exported as INT8 and run by our runtime (oneDNN s8/u8 kernels).
constexpr int64_t kSupportedBits = 8;

QuantizationMode parse_mode(const Json& json, const std::string& where) {
  const std::string mode = get_string(json, "mode", where);
  if (mode == "symmetric") return QuantizationMode::kSymmetric;
  if (mode == "asymmetric") return QuantizationMode::kAsymmetric;
  throw InvalidArgument(str_cat(where, ".mode: unknown quantization mode \"", mode, "\" (known: symmetric, asymmetric)"));
}

// mode, bits, per_channel, signed: the keys shared by the weights/activations groups and scope_overrides.
QuantizerSpecOverride parse_spec(const Json& json, const std::string& where) {
  QuantizerSpecOverride s;
  if (json.contains("mode")) s.mode = parse_mode(json, where);
  if (json.contains("bits")) {
    const int64_t bits = get_int(json, "bits", where);
    JPQD_CHECK(bits == kSupportedBits, InvalidArgument, where, ".bits: ", bits,
               " bits is not supported: only 8-bit quantizers can be exported to the INT8 model and runtime");
    s.bits = bits;
  }
  if (json.contains("per_channel")) s.per_channel = get_bool(json, "per_channel", where);
  if (json.contains("signed")) s.is_signed = get_bool(json, "signed", where);
  if (json.contains("logarithm_scale"))
    JPQD_CHECK(!get_bool(json, "logarithm_scale", where), InvalidArgument, where,
               ".logarithm_scale: logarithmic scale storage is not supported (use false or leave it out)");
  return s;
}

constexpr const char* kAlgorithmSection = "the quantization section";

QuantizerGroupConfig parse_group(const Json& json, const std::string& where, bool activations) {
  reject_misplaced_key(json, "compression_lr_multiplier", where, kAlgorithmSection);
  reject_unknown_keys(json, {"mode", "bits", "per_channel", "signed", "logarithm_scale", "ignored_scopes",
                             "target_scopes", "validate_scopes"},
                      where);
  QuantizerGroupConfig g;
  g.spec = parse_spec(json, where);
  if (activations && g.spec.per_channel.value_or(false))
    throw InvalidArgument(str_cat(where, ".per_channel: per-channel activation quantizers are not supported "
                                         "(the INT8 runtime takes one scale per activation tensor)"));
  if (json.contains("ignored_scopes")) g.ignored_scopes = parse_scope_list(json["ignored_scopes"], where + ".ignored_scopes");
  if (json.contains("target_scopes")) g.target_scopes = parse_scope_list(json["target_scopes"], where + ".target_scopes");
  if (json.contains("validate_scopes")) g.validate_scopes = get_bool(json, "validate_scopes", where);
  return g;
}

std::vector<std::pair<std::string, QuantizerSpecOverride>> parse_overrides(const Json& json, const std::string& where,
                                                                           bool activations) {
  JPQD_CHECK(json.is_object(), InvalidArgument, where, ": expected an object {\"<scope>\": {...}}, got ", json.dump());
  std::vector<std::pair<std::string, QuantizerSpecOverride>> out;
  for (const auto& item : json.items()) {
    const std::string w = str_cat(where, "[\"", item.key(), "\"]");
    parse_scope_list(Json(item.key()), w);  // validates the regular expression
    JPQD_CHECK(item.value().is_object(), InvalidArgument, w, ": expected an object, got ", item.value().dump());
    if (item.value().contains("range"))
      throw InvalidArgument(str_cat(w, ".range: per-scope range initialisation is not supported; set it once under "
                                       "initializer.range"));
    reject_unknown_keys(item.value(), {"mode", "bits", "per_channel", "signed", "logarithm_scale"}, w);
    QuantizerSpecOverride o = parse_spec(item.value(), w);
    if (activations && o.per_channel.value_or(false))
      throw InvalidArgument(str_cat(w, ".per_channel: per-channel activation quantizers are not supported"));
    out.emplace_back(item.key(), o);
  }
  return out;
}

void parse_range(const Json& json, const std::string& where, QuantizationConfig& c) {
  JPQD_CHECK(!json.is_array(), InvalidArgument, where,
             ": a list of per-scope range initialisers is not supported; give one object {num_init_samples, type, "
             "params}");
  reject_misplaced_key(json, "compression_lr_multiplier", where, kAlgorithmSection);
  reject_unknown_keys(json, {"num_init_samples", "type", "params"}, where);
  if (json.contains("num_init_samples")) {
    c.num_init_samples = get_int(json, "num_init_samples", where);
    JPQD_CHECK(c.num_init_samples >= 0, InvalidArgument, where, ".num_init_samples: must be >= 0, got ",
               c.num_init_samples);
  }
  if (json.contains("type")) {
    const std::string type = get_string(json, "type", where);
    if (type == "mixed_min_max") c.range_init_type = RangeInitType::kMixedMinMax;
    else if (type == "min_max") c.range_init_type = RangeInitType::kMinMax;
    else if (type == "mean_min_max") c.range_init_type = RangeInitType::kMeanMinMax;
    else if (type == "percentile") c.range_init_type = RangeInitType::kPercentile;
    else
      throw InvalidArgument(str_cat(where, ".type: unsupported range initialisation \"", type,
                                    "\" (supported: mixed_min_max, min_max, mean_min_max, percentile)"));
  }
  if (json.contains("params")) {
    const Json& p = json["params"];
    const std::string w = where + ".params";
    JPQD_CHECK(c.range_init_type == RangeInitType::kPercentile, InvalidArgument, w,
               ": only range type \"percentile\" takes params (min_percentile, max_percentile)");
    reject_unknown_keys(p, {"min_percentile", "max_percentile"}, w);
    if (p.contains("min_percentile")) c.min_percentile = get_number(p, "min_percentile", w);
    if (p.contains("max_percentile")) c.max_percentile = get_number(p, "max_percentile", w);
  }
  JPQD_CHECK(std::isfinite(c.min_percentile) && std::isfinite(c.max_percentile) && c.min_percentile >= 0 &&
                 c.max_percentile <= 100 && c.min_percentile < c.max_percentile,
             InvalidArgument, where,
             ".params: percentiles must satisfy 0 <= min_percentile < max_percentile <= 100, got min_percentile ",
             c.min_percentile, " and max_percentile ", c.max_percentile);
}

void parse_initializer(const Json& json, const std::string& where, QuantizationConfig& c) {
  reject_unknown_keys(json, {"range", "batchnorm_adaptation"}, where);
  if (json.contains("range")) parse_range(json["range"], where + ".range", c);
  if (json.contains("batchnorm_adaptation")) {
    const Json& bn = json["batchnorm_adaptation"];
    const std::string w = where + ".batchnorm_adaptation";
    reject_unknown_keys(bn, {"num_bn_adaptation_samples"}, w);
    if (bn.contains("num_bn_adaptation_samples")) {
      c.num_bn_adaptation_samples = get_int(bn, "num_bn_adaptation_samples", w);
      JPQD_CHECK(*c.num_bn_adaptation_samples >= 0, InvalidArgument, w, ".num_bn_adaptation_samples: must be >= 0");
    }
  }
}

}  // namespace

const char* to_string(QuantizationMode mode) { return mode == QuantizationMode::kSymmetric ? "symmetric" : "asymmetric"; }

const char* to_string(RangeInitType type) {
  switch (type) {
    case RangeInitType::kMixedMinMax: return "mixed_min_max";
    case RangeInitType::kMinMax: return "min_max";
    case RangeInitType::kMeanMinMax: return "mean_min_max";
    case RangeInitType::kPercentile: return "percentile";
  }
  return "?";
}

const char* to_string(OverflowFix fix) {
  switch (fix) {
    case OverflowFix::kEnable: return "enable";
    case OverflowFix::kDisable: return "disable";
    case OverflowFix::kFirstLayerOnly: return "first_layer_only";
  }
  return "?";
}

QuantizerSpec apply_override(QuantizerSpec base, const QuantizerSpecOverride& o) {
  if (o.mode) base.mode = *o.mode;
  if (o.bits) base.bits = *o.bits;
  if (o.per_channel) base.per_channel = *o.per_channel;
  if (o.is_signed) base.is_signed = *o.is_signed;
  return base;
}

QuantizerSpec QuantizationConfig::weight_spec() const {
  QuantizerSpec s;
  s.mode = QuantizationMode::kSymmetric;  // both presets quantize weights symmetrically
  s.per_channel = true;
  s.is_signed = true;
  return apply_override(s, weights.spec);
}

QuantizerSpec QuantizationConfig::activation_spec() const {
  QuantizerSpec s;
  s.mode = preset == "mixed" ? QuantizationMode::kAsymmetric : QuantizationMode::kSymmetric;
  s.per_channel = false;
  return apply_override(s, activations.spec);
}

QuantizationConfig QuantizationConfig::parse(const Json& json, const std::string& where) {
  JPQD_CHECK(json.is_object(), InvalidArgument, where, ": expected an object, got ", json.dump());
  reject_unknown_keys(json,
                      {"algorithm", "preset", "weights", "activations", "overflow_fix", "initializer", "ignored_scopes",
                       "target_scopes", "validate_scopes", "scope_overrides", "compression_lr_multiplier",
                       "export_to_onnx_standard_ops", "quantize_inputs", "quantize_outputs"},
                      where);
  if (json.contains("algorithm")) {
    const std::string algorithm = get_string(json, "algorithm", where);
    JPQD_CHECK(algorithm == "quantization", InvalidArgument, where, ".algorithm: expected \"quantization\", got \"",
               algorithm, "\"");
  }
  QuantizationConfig c;
  if (json.contains("preset")) {
    c.preset = get_string(json, "preset", where);
    JPQD_CHECK(c.preset == "performance" || c.preset == "mixed", InvalidArgument, where, ".preset: unknown preset \"",
               c.preset, "\" (known: performance, mixed)");
  }
  if (json.contains("weights")) c.weights = parse_group(json["weights"], where + ".weights", false);
  if (json.contains("activations")) c.activations = parse_group(json["activations"], where + ".activations", true);
  if (json.contains("overflow_fix")) {
    const std::string fix = get_string(json, "overflow_fix", where);
    if (fix == "enable") c.overflow_fix = OverflowFix::kEnable;
    else if (fix == "disable") c.overflow_fix = OverflowFix::kDisable;
    else if (fix == "first_layer_only") c.overflow_fix = OverflowFix::kFirstLayerOnly;
    else
      throw InvalidArgument(str_cat(where, ".overflow_fix: unknown value \"", fix,
                                    "\" (known: enable, disable, first_layer_only)"));
  }
  if (json.contains("initializer")) parse_initializer(json["initializer"], where + ".initializer", c);
  if (json.contains("ignored_scopes")) c.ignored_scopes = parse_scope_list(json["ignored_scopes"], where + ".ignored_scopes");
  if (json.contains("target_scopes")) c.target_scopes = parse_scope_list(json["target_scopes"], where + ".target_scopes");
  if (json.contains("validate_scopes")) c.validate_scopes = get_bool(json, "validate_scopes", where);
  if (json.contains("scope_overrides")) {
    const Json& so = json["scope_overrides"];
    const std::string w = where + ".scope_overrides";
    reject_unknown_keys(so, {"weights", "activations"}, w);
    if (so.contains("weights")) c.weight_overrides = parse_overrides(so["weights"], w + ".weights", false);
    if (so.contains("activations")) c.activation_overrides = parse_overrides(so["activations"], w + ".activations", true);
  }
  c.compression_lr_multiplier = parse_lr_multiplier(json, where);
  for (const auto* group : {&c.weights, &c.activations})
    if (group->validate_scopes && *group->validate_scopes != c.validate_scopes)
      log_warning(where, ".", group == &c.weights ? "weights" : "activations", ".validate_scopes: ",
                  *group->validate_scopes ? "true" : "false",
                  " has no effect: NNCF reads validate_scopes from the quantization section only, and jpqd checks "
                  "the group's scopes by that value (",
                  c.validate_scopes ? "true" : "false", ")");
  // Our export always writes standard QuantizeLinear/DequantizeLinear pairs, so either value means the same.
  if (json.contains("export_to_onnx_standard_ops")) get_bool(json, "export_to_onnx_standard_ops", where);
  // Model inputs are token ids (integers): the embedding tables are quantized as weights instead.
  if (json.contains("quantize_inputs")) get_bool(json, "quantize_inputs", where);
  if (json.contains("quantize_outputs"))
    JPQD_CHECK(!get_bool(json, "quantize_outputs", where), InvalidArgument, where,
               ".quantize_outputs: quantizing the model outputs (logits) is not supported; use false");
  return c;
}

}  // namespace jpqd::compression
