#include "text/pipeline/precompiled_charsmap.h"

#include <utf8proc.h>

#include "common/error.h"

namespace jpqd::text::pipeline {
namespace {

uint32_t read_le32(const std::string& blob, size_t at) {
  uint32_t v = 0;
  for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(blob[at + static_cast<size_t>(k)]);
  return v;
}

bool has_leaf(uint32_t unit) { return (unit >> 8) & 1; }
uint32_t value_of(uint32_t unit) { return unit & ((1u << 31) - 1); }
uint32_t label_of(uint32_t unit) { return unit & ((1u << 31) | 0xFF); }
uint32_t offset_of(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

// Byte length of every extended grapheme cluster of `text`, in order.
std::vector<size_t> grapheme_lengths(const TrackedText& text) {
  std::vector<size_t> lengths;
  utf8proc_int32_t state = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool boundary = i == 0 || utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(text[i - 1].cp),
                                                                      static_cast<utf8proc_int32_t>(text[i].cp), &state);
    if (boundary) lengths.push_back(0);
    ++lengths.back();
  }
  return lengths;  // counted in characters
}

}  // namespace

std::string decode_base64(const std::string& text, const std::string& where) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] != '='; ++i) {
    const int v = value(text[i]);
    JPQD_CHECK(v >= 0, FormatError, where, ": invalid base64 character at position ", i);
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  for (; i < text.size(); ++i) JPQD_CHECK(text[i] == '=', FormatError, where, ": invalid base64 padding");
  return out;
}

PrecompiledCharsmap PrecompiledCharsmap::from_base64(const std::string& base64, const std::string& where) {
  return from_bytes(decode_base64(base64, where), where);
}

PrecompiledCharsmap PrecompiledCharsmap::from_bytes(const std::string& blob, const std::string& where) {
  PrecompiledCharsmap map;
  if (blob.empty()) return map;
  JPQD_CHECK(blob.size() >= 4, FormatError, where, ": precompiled_charsmap of ", blob.size(), " bytes is truncated");
  const uint32_t trie_bytes = read_le32(blob, 0);
  JPQD_CHECK(trie_bytes % 4 == 0 && trie_bytes >= 4 && trie_bytes <= blob.size() - 4, FormatError, where,
             ": precompiled_charsmap trie of ", trie_bytes, " bytes does not fit its ", blob.size(), "-byte blob");
  map.units_.resize(trie_bytes / 4);
  for (size_t k = 0; k < map.units_.size(); ++k) map.units_[k] = read_le32(blob, 4 + 4 * k);
  map.replacements_ = blob.substr(4 + trie_bytes);
  JPQD_CHECK(is_valid_utf8(map.replacements_), FormatError, where, ": precompiled_charsmap replacements are not UTF-8");
  return map;
}

std::optional<std::string_view> PrecompiledCharsmap::shortest_prefix_replacement(std::string_view key) const {
  if (units_.empty()) return std::nullopt;
  size_t node = offset_of(units_[0]);
  for (const char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) break;
    node ^= c;
    if (node >= units_.size()) return std::nullopt;
    const uint32_t unit = units_[node];
    if (label_of(unit) != c) return std::nullopt;
    node ^= offset_of(unit);
    if (node >= units_.size()) return std::nullopt;
    if (has_leaf(unit)) {
      const size_t start = value_of(units_[node]);
      if (start > replacements_.size()) return std::nullopt;
      const size_t end = replacements_.find('\0', start);
      return std::string_view(replacements_).substr(start, end == std::string::npos ? end : end - start);
    }
  }
  return std::nullopt;
}

TrackedText PrecompiledCharsmap::normalize(const TrackedText& text) const {
  if (units_.empty()) return text;
  TrackedText out;
  out.reserve(text.size());
  const auto emit = [&](std::string_view replacement, int64_t begin, int64_t end) {
    for (const TrackedChar& c : decode_utf8(replacement)) out.push_back({c.cp, begin, end});
  };
  size_t first = 0;
  std::string bytes;
  for (const size_t length : grapheme_lengths(text)) {
    const size_t last = first + length;
    bytes.clear();
    for (size_t i = first; i < last; ++i) append_utf8(bytes, text[i].cp);
    constexpr size_t kWholeClusterBytes = 6;  // tokenizers looks up shorter clusters whole
    std::optional<std::string_view> whole;
    if (bytes.size() < kWholeClusterBytes) whole = shortest_prefix_replacement(bytes);
    if (whole) {
      emit(*whole, text[first].begin, text[last - 1].end);
    } else {
      for (size_t i = first; i < last; ++i) {
        std::string one;
        append_utf8(one, text[i].cp);
        if (auto r = shortest_prefix_replacement(one)) {
          emit(*r, text[i].begin, text[i].end);
        } else {
          out.push_back(text[i]);
        }
      }
    }
    first = last;
  }
  return out;
}

}  // namespace jpqd::text::pipeline
