// movement_sparsity section of an NNCF config (docs/algorithms.md 1.1).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/json_util.h"

namespace jpqd::compression {

enum class SparseStructureMode { kFine, kBlock, kPerDim };

struct SparseStructureEntry {
  SparseStructureMode mode = SparseStructureMode::kFine;
  int64_t block_rows = 1, block_cols = 1;  // block mode: sparse_factors
  int64_t axis = 0;                        // per_dim mode
  std::vector<std::string> target_scopes;
};

struct MovementSparsityConfig {
  int64_t warmup_start_epoch = 0;
  int64_t warmup_end_epoch = 0;
  double importance_regularization_factor = 0.0;
  bool enable_structured_masking = true;
  std::optional<double> init_importance_threshold;  // nullopt = automatic (docs/algorithms.md 1.4)
  double final_importance_threshold = 0.0;
  double power = 3.0;
  std::optional<int64_t> steps_per_epoch;  // nullopt = measured during epoch 0
  std::vector<SparseStructureEntry> sparse_structure_by_scopes;
  std::vector<std::string> ignored_scopes;
  std::vector<std::string> target_scopes;  // empty = all Linear layers
  bool validate_scopes = true;  // NNCF's switch: false = scopes that match nothing are not an error
  // Multiplies the gradients of the importance scores (NNCF's CompressionParameter); unset here, the
  // config's top-level value applies.
  std::optional<double> compression_lr_multiplier;

  static MovementSparsityConfig parse(const Json& json, const std::string& where);
};

}  // namespace jpqd::compression
