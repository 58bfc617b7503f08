#include "text/utf8.h"

namespace jpqd::text {
namespace {

// Length of the valid sequence starting at s[i], or 0 when s[i] does not start one.
size_t valid_sequence_length(std::string_view s, size_t i, char32_t* cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t length = 0;
  char32_t value = 0;
  char32_t min_value = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2, value = b0 & 0x1F, min_value = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3, value = b0 & 0x0F, min_value = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4, value = b0 & 0x07, min_value = 0x10000;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    const unsigned char b = byte(i + k);
    if ((b & 0xC0) != 0x80) return 0;
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min_value || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *cp = value;
  return length;
}

}  // namespace

TrackedText decode_utf8(std::string_view text, int64_t base) {
  TrackedText out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    size_t length = valid_sequence_length(text, i, &cp);
    if (length == 0) {
      cp = kReplacementChar;
      length = 1;
    }
    out.push_back({cp, base + static_cast<int64_t>(i), base + static_cast<int64_t>(i + length)});
    i += length;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string encode_utf8(const TrackedChar* first, const TrackedChar* last) {
  std::string out;
  out.reserve(static_cast<size_t>(last - first));
  for (const TrackedChar* c = first; c != last; ++c) append_utf8(out, c->cp);
  return out;
}

bool is_valid_utf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    const size_t length = valid_sequence_length(text, i, &cp);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

}  // namespace jpqd::text
