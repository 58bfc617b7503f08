// Read-only map from token text to id for WordPiece's inner loop, which looks up every candidate
// substring of a word: keys are found by std::string_view, so no candidate is ever copied into a
// std::string (C++17's unordered_map cannot look up by string_view), and the open-addressing layout
// keeps a miss to one or two cache lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jpqd::text {

class TokenTable {
 public:
  TokenTable() = default;
  // Keys must be distinct (a vocabulary's are); throws InvalidArgument otherwise or when an id does not
  // fit 32 bits.
  explicit TokenTable(const std::vector<std::pair<std::string_view, int64_t>>& entries);

  // The keys' hash, FNV-1a, extends one byte at a time, so WordPiece gets the hashes of all prefixes
  // of a candidate from one pass and tries each shorter candidate without hashing it again.
  static constexpr uint32_t kEmptyHash = 2166136261u;
  static uint32_t extend_hash(uint32_t hash, char byte) { return (hash ^ static_cast<unsigned char>(byte)) * 16777619u; }
  static uint32_t hash_of(std::string_view key) {
    uint32_t h = kEmptyHash;
    for (const char c : key) h = extend_hash(h, c);
    return h;
  }

  // The id of `key`, or -1; `hash` must be hash_of(key). Inline, and comparing keys byte by byte
  // rather than through memcmp: both pay off on keys of a few bytes looked up once per token.
  int64_t find(std::string_view key, uint32_t hash) const {
    if (slots_.empty()) return -1;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id < 0) return -1;
      if (s.hash == hash && s.length == key.size() && same_bytes(keys_.data() + s.offset, key)) return s.id;
    }
  }
  int64_t find(std::string_view key) const { return find(key, hash_of(key)); }
  // No key is longer than this many bytes, so longer candidates need no lookup.
  size_t max_key_bytes() const { return max_key_bytes_; }

 private:
  static bool same_bytes(const char* stored, std::string_view key) {
    for (size_t k = 0; k < key.size(); ++k) {
      if (stored[k] != key[k]) return false;
    }
    return true;
  }

  struct Slot {
    uint32_t hash = 0;
    uint32_t offset = 0;  // into keys_
    uint32_t length = 0;
    int32_t id = -1;  // -1: empty
  };

  std::string keys_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t max_key_bytes_ = 0;
};

}  // namespace jpqd::text
