#include "compression/config/algorithm_keys.h"

#include <cmath>

#include "common/error.h"

namespace jpqd::compression {

std::optional<double> parse_lr_multiplier(const Json& section, const std::string& where) {
  constexpr const char* kKey = "compression_lr_multiplier";
  if (!section.contains(kKey) || section[kKey].is_null()) return std::nullopt;
  const double m = get_number(section, kKey, where);
  // NNCF multiplies gradients by it; zero or a negative value would freeze or reverse training of the
  // compression parameters, which no config means to do.
  JPQD_CHECK(std::isfinite(m) && m > 0, InvalidArgument, where, ".", kKey, ": must be a positive number, got ",
             section[kKey].dump());
  return m;
}

void reject_misplaced_key(const Json& object, const std::string& key, const std::string& where,
                          const std::string& home) {
  JPQD_CHECK(!object.is_object() || !object.contains(key), InvalidArgument, where, ".", key,
             ": NNCF does not accept it here; it belongs in ", home);
}

}  // namespace jpqd::compression
