// FNV-1a 64-bit: a small, dependency-free checksum for detecting truncated or bit-flipped files
// (not a cryptographic hash: it guards against accidents, not attackers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace jpqd {

constexpr uint64_t kFnv1a64Offset = 0xcbf29ce484222325ULL;

uint64_t fnv1a64(const void* data, size_t size, uint64_t seed = kFnv1a64Offset);
// Streams the file; throws IoError when it cannot be read.
uint64_t fnv1a64_file(const std::string& path);
std::string to_hex(uint64_t value);

}  // namespace jpqd
