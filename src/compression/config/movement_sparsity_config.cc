#include "compression/config/movement_sparsity_config.h"

#include <cmath>

#include "common/error.h"
#include "common/logging.h"
#include "compression/config/algorithm_keys.h"
#include "compression/config/scopes.h"

namespace jpqd::compression {

namespace {

// `sparse_factors`: two positive integers.
std::pair<int64_t, int64_t> parse_factors(const Json& value, const std::string& where) {
  JPQD_CHECK(value.is_array() && value.size() == 2, InvalidArgument, where,
             ": expected two integers [rows, cols], got ", value.dump());
  int64_t f[2];
  for (int i = 0; i < 2; ++i) {
    JPQD_CHECK(value[i].is_number_integer() && value[i].get<int64_t>() > 0, InvalidArgument, where,
               ": expected two positive integers [rows, cols], got ", value.dump());
    f[i] = value[i].get<int64_t>();
  }
  return {f[0], f[1]};
}

SparseStructureEntry parse_entry(const Json& json, const std::string& where) {
  reject_unknown_keys(json, {"mode", "sparse_factors", "axis", "target_scopes"}, where);
  SparseStructureEntry entry;
  // NNCF defaults a missing mode to "fine".
  const std::string mode = json.contains("mode") ? get_string(json, "mode", where) : "fine";
  const bool has_factors = json.contains("sparse_factors");
  const bool has_axis = json.contains("axis");
  if (mode == "fine") {
    entry.mode = SparseStructureMode::kFine;
    if (has_factors) {
      auto f = parse_factors(json["sparse_factors"], where + ".sparse_factors");
      JPQD_CHECK(f.first == 1 && f.second == 1, InvalidArgument, where,
                 ".sparse_factors: mode \"fine\" takes no sparse_factors or [1, 1], got ",
                 json["sparse_factors"].dump());
    }
    JPQD_CHECK(!has_axis, InvalidArgument, where, ".axis: mode \"fine\" takes no axis, got ", json["axis"].dump());
  } else if (mode == "block") {
    entry.mode = SparseStructureMode::kBlock;
    JPQD_CHECK(has_factors, InvalidArgument, where, ": mode \"block\" requires \"sparse_factors\": [rows, cols]");
    auto f = parse_factors(json["sparse_factors"], where + ".sparse_factors");
    entry.block_rows = f.first;
    entry.block_cols = f.second;
    JPQD_CHECK(!has_axis, InvalidArgument, where, ".axis: mode \"block\" takes no axis, got ", json["axis"].dump());
  } else if (mode == "per_dim") {
    entry.mode = SparseStructureMode::kPerDim;
    JPQD_CHECK(has_axis, InvalidArgument, where, ": mode \"per_dim\" requires \"axis\": 0 or 1");
    entry.axis = get_int(json, "axis", where);
    JPQD_CHECK(entry.axis == 0 || entry.axis == 1, InvalidArgument, where, ".axis: expected 0 or 1, got ",
               json["axis"].dump());
    JPQD_CHECK(!has_factors, InvalidArgument, where,
               ".sparse_factors: mode \"per_dim\" does not take sparse_factors, got ", json["sparse_factors"].dump());
  } else {
    throw InvalidArgument(
        str_cat(where, ".mode: unknown sparse structure \"", mode, "\" (known: fine, block, per_dim)"));
  }
  JPQD_CHECK(json.contains("target_scopes"), InvalidArgument, where, ": missing required key \"target_scopes\"");
  entry.target_scopes = parse_scope_list(json["target_scopes"], where + ".target_scopes");
  JPQD_CHECK(!entry.target_scopes.empty(), InvalidArgument, where, ".target_scopes: must not be empty");
  return entry;
}

double get_finite(const Json& object, const std::string& key, const std::string& where) {
  const double v = get_number(object, key, where);
  JPQD_CHECK(std::isfinite(v), InvalidArgument, where, ".", key, ": expected a finite number, got ", v);
  return v;
}

void parse_params(const Json& json, const std::string& where, MovementSparsityConfig& c) {
  for (const char* key : {"compression_lr_multiplier", "validate_scopes"})
    reject_misplaced_key(json, key, where, "the movement_sparsity section, next to \"params\"");
  reject_unknown_keys(json,
                      {"warmup_start_epoch", "warmup_end_epoch", "importance_regularization_factor",
                       "enable_structured_masking", "init_importance_threshold", "final_importance_threshold",
                       "power", "steps_per_epoch"},
                      where);
  c.warmup_start_epoch = get_int(json, "warmup_start_epoch", where);
  c.warmup_end_epoch = get_int(json, "warmup_end_epoch", where);
  c.importance_regularization_factor = get_finite(json, "importance_regularization_factor", where);
  if (json.contains("enable_structured_masking"))
    c.enable_structured_masking = get_bool(json, "enable_structured_masking", where);
  if (json.contains("init_importance_threshold") && !json["init_importance_threshold"].is_null())
    c.init_importance_threshold = get_finite(json, "init_importance_threshold", where);
  if (json.contains("final_importance_threshold"))
    c.final_importance_threshold = get_finite(json, "final_importance_threshold", where);
  if (json.contains("power")) c.power = get_finite(json, "power", where);
  if (json.contains("steps_per_epoch") && !json["steps_per_epoch"].is_null()) {
    c.steps_per_epoch = get_int(json, "steps_per_epoch", where);
    JPQD_CHECK(*c.steps_per_epoch >= 1, InvalidArgument, where, ".steps_per_epoch: must be >= 1, got ",
               *c.steps_per_epoch);
  }

  JPQD_CHECK(c.steps_per_epoch || c.warmup_start_epoch >= 1, InvalidArgument, where,
             ".warmup_start_epoch: must be >= 1 when steps_per_epoch is not given (epoch 0 measures the steps "
             "per epoch), got ",
             c.warmup_start_epoch);
  JPQD_CHECK(c.warmup_start_epoch >= 0 && c.warmup_start_epoch < c.warmup_end_epoch, InvalidArgument, where,
             ": requires 0 <= warmup_start_epoch < warmup_end_epoch, got warmup_start_epoch ", c.warmup_start_epoch,
             " and warmup_end_epoch ", c.warmup_end_epoch);
  JPQD_CHECK(c.importance_regularization_factor >= 0, InvalidArgument, where,
             ".importance_regularization_factor: must be >= 0, got ", c.importance_regularization_factor);
  JPQD_CHECK(c.power > 0, InvalidArgument, where, ".power: must be > 0, got ", c.power);
  if (c.init_importance_threshold && *c.init_importance_threshold >= c.final_importance_threshold)
    log_warning(where, ": init_importance_threshold ", *c.init_importance_threshold,
                " is not below final_importance_threshold ", c.final_importance_threshold,
                "; movement sparsity may not work as expected");
}

}  // namespace

MovementSparsityConfig MovementSparsityConfig::parse(const Json& json, const std::string& where) {
  reject_unknown_keys(json,
                      {"algorithm", "params", "sparse_structure_by_scopes", "ignored_scopes", "target_scopes",
                       "validate_scopes", "compression_lr_multiplier"},
                      where);
  if (json.contains("algorithm")) {
    const std::string algorithm = get_string(json, "algorithm", where);
    JPQD_CHECK(algorithm == "movement_sparsity", InvalidArgument, where,
               ".algorithm: expected \"movement_sparsity\", got \"", algorithm, "\"");
  }
  MovementSparsityConfig c;
  JPQD_CHECK(json.contains("params"), InvalidArgument, where,
             ": missing required key \"params\" (warmup_start_epoch, warmup_end_epoch, "
             "importance_regularization_factor)");
  parse_params(json["params"], where + ".params", c);

  if (json.contains("sparse_structure_by_scopes")) {
    const Json& list = json["sparse_structure_by_scopes"];
    const std::string w = where + ".sparse_structure_by_scopes";
    JPQD_CHECK(list.is_array(), InvalidArgument, w, ": expected a list, got ", list.dump());
    for (size_t i = 0; i < list.size(); ++i)
      c.sparse_structure_by_scopes.push_back(parse_entry(list[i], str_cat(w, "[", i, "]")));
  }
  if (json.contains("ignored_scopes")) c.ignored_scopes = parse_scope_list(json["ignored_scopes"], where + ".ignored_scopes");
  if (json.contains("target_scopes")) c.target_scopes = parse_scope_list(json["target_scopes"], where + ".target_scopes");
  if (json.contains("validate_scopes")) c.validate_scopes = get_bool(json, "validate_scopes", where);
  c.compression_lr_multiplier = parse_lr_multiplier(json, where);
  return c;
}

}  // namespace jpqd::compression
