#include "text/normalization.h"

#include <algorithm>
#include <utf8proc.h>

#include "text/unicode_classes.h"

namespace jpqd::text {
namespace {

// Below U+00C0 no character has a canonical decomposition, and below U+0300 every character is
// already NFC and none composes with its predecessor: the common (ASCII, Latin-1) fast path.
constexpr char32_t kFirstDecomposable = 0xC0;
constexpr char32_t kFirstCombining = 0x300;

bool all_below(const TrackedText& text, char32_t limit) {
  return std::all_of(text.begin(), text.end(), [&](const TrackedChar& c) { return c.cp < limit; });
}

// The primary composite of (starter, next), or 0 when there is none. utf8proc has no public pairwise
// lookup; normalising a two-element buffer with COMPOSE|STABLE (composition exclusions honoured, as
// utf8proc_NFC does) gives exactly that.
char32_t compose_pair(char32_t starter, char32_t next) {
  // Second elements of compositions (combining marks, Hangul jamo, some vowel signs) are all above
  // U+0300.
  if (next < kFirstCombining) return 0;
  utf8proc_int32_t buffer[2] = {static_cast<utf8proc_int32_t>(starter), static_cast<utf8proc_int32_t>(next)};
  const utf8proc_ssize_t length = utf8proc_normalize_utf32(buffer, 2, static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  return length == 1 ? static_cast<char32_t>(buffer[0]) : 0;
}

}  // namespace

void canonical_reorder(TrackedText& text) {
  size_t i = 0;
  while (i < text.size()) {
    if (canonical_combining_class(text[i].cp) == 0) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && canonical_combining_class(text[j].cp) != 0) ++j;
    std::stable_sort(text.begin() + static_cast<std::ptrdiff_t>(i), text.begin() + static_cast<std::ptrdiff_t>(j),
                     [](const TrackedChar& a, const TrackedChar& b) {
                       return canonical_combining_class(a.cp) < canonical_combining_class(b.cp);
                     });
    i = j;
  }
}

void lower_case_per_char(TrackedText& text) {
  constexpr char32_t kCapitalIWithDotAbove = 0x130;
  constexpr char32_t kCombiningDotAbove = 0x307;
  TrackedText out;
  out.reserve(text.size());
  for (const TrackedChar& c : text) {
    if (c.cp < 0x80) {
      out.push_back({(c.cp >= 'A' && c.cp <= 'Z') ? c.cp + 32 : c.cp, c.begin, c.end});
    } else if (c.cp == kCapitalIWithDotAbove) {
      out.push_back({U'i', c.begin, c.end});
      out.push_back({kCombiningDotAbove, c.begin, c.end});
    } else {
      out.push_back({static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c.cp))), c.begin, c.end});
    }
  }
  text.swap(out);
}

TrackedText nfd(const TrackedText& text) {
  if (all_below(text, kFirstDecomposable)) return text;
  TrackedText out;
  out.reserve(text.size() + 8);
  utf8proc_int32_t buffer[16];
  for (const TrackedChar& c : text) {
    if (c.cp < kFirstDecomposable) {
      out.push_back(c);
      continue;
    }
    int boundclass = 0;
    const utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c.cp), buffer, 16,
                                                       UTF8PROC_DECOMPOSE, &boundclass);
    if (n <= 0 || n > 16) {  // not a decomposable code point (or an error): keep it as it is
      out.push_back(c);
      continue;
    }
    for (utf8proc_ssize_t k = 0; k < n; ++k) out.push_back({static_cast<char32_t>(buffer[k]), c.begin, c.end});
  }
  canonical_reorder(out);
  return out;
}

TrackedText nfc(const TrackedText& text) {
  if (all_below(text, kFirstCombining)) return text;
  const TrackedText decomposed = nfd(text);
  TrackedText out;
  out.reserve(decomposed.size());
  // Index of the last starter in `out` and the combining class of the last character kept: a mark
  // composes with the starter unless something between them blocks it (class 0 or >= its own).
  std::ptrdiff_t starter = -1;
  int last_class = 0;
  for (const TrackedChar& c : decomposed) {
    const int cc = canonical_combining_class(c.cp);
    if (starter >= 0 && (last_class < cc || (last_class == 0 && static_cast<std::ptrdiff_t>(out.size()) - 1 == starter))) {
      if (const char32_t composite = compose_pair(out[starter].cp, c.cp)) {
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

void remove_nonspacing_marks(TrackedText& text) {
  text.erase(std::remove_if(text.begin(), text.end(), [](const TrackedChar& c) { return is_nonspacing_mark(c.cp); }),
             text.end());
}

}  // namespace jpqd::text
