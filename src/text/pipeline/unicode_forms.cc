#include "text/pipeline/unicode_forms.h"

#include <algorithm>
#include <utf8proc.h>

#include "text/normalization.h"
#include "text/unicode_classes.h"

namespace jpqd::text::pipeline {
namespace {

// Below U+00A0 no character has a canonical or compatibility decomposition.
constexpr char32_t kFirstDecomposable = 0xA0;

TrackedText decompose(const TrackedText& text, bool compatibility) {
  TrackedText out;
  out.reserve(text.size() + 8);
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | (compatibility ? UTF8PROC_COMPAT : 0));
  utf8proc_int32_t buffer[32];
  for (const TrackedChar& c : text) {
    if (c.cp < kFirstDecomposable) {
      out.push_back(c);
      continue;
    }
    int boundclass = 0;
    const utf8proc_ssize_t n =
        utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c.cp), buffer, 32, options, &boundclass);
    if (n <= 0 || n > 32) {
      out.push_back(c);
      continue;
    }
    for (utf8proc_ssize_t k = 0; k < n; ++k) out.push_back({static_cast<char32_t>(buffer[k]), c.begin, c.end});
  }
  canonical_reorder(out);
  return out;
}

// utf8proc has no public pairwise composition lookup; composing a two-character buffer gives it,
// with the composition exclusions honoured.
char32_t compose_pair(char32_t starter, char32_t next) {
  utf8proc_int32_t buffer[2] = {static_cast<utf8proc_int32_t>(starter), static_cast<utf8proc_int32_t>(next)};
  const utf8proc_ssize_t length =
      utf8proc_normalize_utf32(buffer, 2, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  return length == 1 ? static_cast<char32_t>(buffer[0]) : 0;
}

TrackedText compose(const TrackedText& decomposed) {
  TrackedText out;
  out.reserve(decomposed.size());
  std::ptrdiff_t starter = -1;
  int last_class = 0;
  for (const TrackedChar& c : decomposed) {
    const int cc = canonical_combining_class(c.cp);
    const bool adjacent_to_starter = static_cast<std::ptrdiff_t>(out.size()) - 1 == starter;
    if (starter >= 0 && c.cp >= 0x300 && (last_class < cc || (last_class == 0 && adjacent_to_starter))) {
      if (const char32_t composite = compose_pair(out[static_cast<size_t>(starter)].cp, c.cp)) {
        TrackedChar& s = out[static_cast<size_t>(starter)];
        s.cp = composite;
        s.begin = std::min(s.begin, c.begin);
        s.end = std::max(s.end, c.end);
        continue;
      }
    }
    if (cc == 0) starter = static_cast<std::ptrdiff_t>(out.size());
    last_class = cc;
    out.push_back(c);
  }
  return out;
}

bool all_below(const TrackedText& text, char32_t limit) {
  return std::all_of(text.begin(), text.end(), [&](const TrackedChar& c) { return c.cp < limit; });
}

}  // namespace

TrackedText to_unicode_form(const TrackedText& text, UnicodeForm form) {
  if (all_below(text, kFirstDecomposable)) return text;
  const bool compatibility = form == UnicodeForm::kNfkd || form == UnicodeForm::kNfkc;
  TrackedText decomposed = decompose(text, compatibility);
  if (form == UnicodeForm::kNfd || form == UnicodeForm::kNfkd) return decomposed;
  return compose(decomposed);
}

}  // namespace jpqd::text::pipeline
