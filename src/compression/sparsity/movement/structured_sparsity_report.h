// What structured masking kept, per layer of every group, as NNCF's structured_sparsity.csv and as a
// JSON summary (heads and FFN neurons kept per encoder layer, parameters before and after removing them).
#pragma once

#include <string>
#include <vector>

#include "common/json_util.h"
#include "compression/sparsity/movement/structured_mask_resolver.h"

namespace jpqd::compression {

// One member's shapes after structured masking, from its current masks (NNCF's
// StructuredMaskContextStatistics).
struct StructuredMemberStats {
  std::vector<int64_t> weight_shape, pruned_weight_shape;
  std::vector<int64_t> bias_shape, pruned_bias_shape;  // {0} when the layer has no bias
  std::vector<int64_t> kept_ids;                      // heads (MHSA) or neurons (FF) kept
};

StructuredMemberStats structured_member_stats(const StructuredMember& member);

// NNCF's columns (pandas DataFrame.to_csv layout: an unnamed index column first); id lists longer
// than 20 are written as "[N items]".
std::string structured_sparsity_csv(const std::vector<StructuredGroup>& groups);

// {"layers": [{"layer", "attention": {num_heads, heads_kept, num_heads_kept}, "ffn": {intermediate_size,
//   neurons_kept}, "parameters_before", "parameters_after"}...], "total": {...}}
Json structured_sparsity_summary(const std::vector<StructuredGroup>& groups);

// Writes structured_sparsity.csv and structured_sparsity.json into `dir` (atomically).
void write_structured_sparsity_reports(const std::vector<StructuredGroup>& groups, const std::string& dir);

}  // namespace jpqd::compression
