// SentencePiece's precompiled normalization rules (the "precompiled_charsmap" of a .model file and of
// tokenizer.json's Precompiled normalizer). Layout, all little-endian:
//   uint32 trie_bytes                   size of the trie that follows
//   uint32 units[trie_bytes / 4]        a darts-clone double-array trie over UTF-8 byte strings
//   char   replacements[]               NUL-terminated UTF-8 strings; a trie value is an offset here
// Each unit packs: bits 0-7 label, bit 8 "has leaf", bit 9 offset scale, bits 10-31 offset; a leaf
// unit's low 31 bits are the value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/utf8.h"

namespace jpqd::text::pipeline {

class PrecompiledCharsmap {
 public:
  // `where` names the file for errors; an empty blob is the identity.
  static PrecompiledCharsmap from_bytes(const std::string& blob, const std::string& where);
  static PrecompiledCharsmap from_base64(const std::string& base64, const std::string& where);

  // tokenizers' rule: per extended grapheme cluster, a cluster under 6 bytes is looked up whole and,
  // when some prefix of it is in the trie, replaced by the shortest such prefix's replacement;
  // otherwise each character is looked up alone the same way.
  TrackedText normalize(const TrackedText& text) const;

 private:
  // The replacement of the shortest trie key that is a prefix of `key` (stopping at a NUL byte).
  std::optional<std::string_view> shortest_prefix_replacement(std::string_view key) const;

  std::vector<uint32_t> units_;
  std::string replacements_;
};

std::string decode_base64(const std::string& text, const std::string& where);

}  // namespace jpqd::text::pipeline
