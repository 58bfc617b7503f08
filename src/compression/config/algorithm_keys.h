// Keys NNCF's schema lets every algorithm section carry (its SCOPING_PROPERTIES and
// COMPRESSION_LR_MULTIPLIER_PROPERTY), parsed the same way for movement sparsity, quantization and the
// top level of the config.
#pragma once

#include <optional>
#include <string>

#include "common/json_util.h"

namespace jpqd::compression {

// `compression_lr_multiplier` of `section`: nullopt when absent or null, else a finite number > 0.
std::optional<double> parse_lr_multiplier(const Json& section, const std::string& where);

// Throws InvalidArgument("<where>.<key>: ... belongs in <home>") when `object` has `key`: NNCF's schema does
// not accept it at this level, and saying where it goes is more use than "unknown key".
void reject_misplaced_key(const Json& object, const std::string& key, const std::string& where,
                          const std::string& home);

}  // namespace jpqd::compression
