// UTF-8 decoding that remembers where every code point came from, so that tokens produced after
// lower-casing, accent stripping and normalisation can still point at bytes of the original text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jpqd::text {

// One code point and the [begin, end) byte range of the original text it stands for. Characters made
// by a transformation (a decomposition, a composition) carry the range of everything they came from.
struct TrackedChar {
  char32_t cp;
  int64_t begin;
  int64_t end;
};
using TrackedText = std::vector<TrackedChar>;

constexpr char32_t kReplacementChar = 0xFFFD;

// Strict decoding (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). Every byte
// that does not belong to a valid sequence becomes one U+FFFD covering that byte; BERT's text cleaning
// then drops it, so invalid bytes are skipped deterministically and never crash anything.
// `base` is added to every offset, for text that is a slice of a larger one.
TrackedText decode_utf8(std::string_view text, int64_t base = 0);

void append_utf8(std::string& out, char32_t cp);
std::string encode_utf8(const TrackedChar* first, const TrackedChar* last);

// True when `text` is valid UTF-8 (used for vocabulary files, which must be).
bool is_valid_utf8(const std::string& text);

}  // namespace jpqd::text
