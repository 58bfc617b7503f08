#include "common/checksum.h"

#include <cstdio>
#include <fstream>
#include <vector>

#include "common/error.h"

namespace jpqd {

uint64_t fnv1a64(const void* data, size_t size, uint64_t seed) {
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t h = seed;
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= kPrime;
  }
  return h;
}

uint64_t fnv1a64_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  JPQD_CHECK(in.good(), IoError, path, ": cannot open for checksum");
  std::vector<char> buffer(1 << 20);
  uint64_t h = kFnv1a64Offset;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    h = fnv1a64(buffer.data(), static_cast<size_t>(in.gcount()), h);
  }
  JPQD_CHECK(!in.bad(), IoError, path, ": read failed");
  return h;
}

std::string to_hex(uint64_t value) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace jpqd
