// SHA-256 (FIPS 180-4), small and dependency-free: vocabulary fingerprints must match `sha256sum`.
#pragma once

#include <string>

namespace jpqd::text {

// Lower-case hex digest of `bytes`.
std::string sha256_hex(const std::string& bytes);

}  // namespace jpqd::text
