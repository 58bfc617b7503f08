#include "text/pipeline/gpt2_split.h"

#include "text/pipeline/char_classes.h"

namespace jpqd::text::pipeline {
namespace {

enum class CharKind { kLetter, kNumber, kSpace, kOther };

CharKind kind_of(char32_t cp) {
  if (is_white_space(cp)) return CharKind::kSpace;
  if (is_letter(cp)) return CharKind::kLetter;
  if (is_number(cp)) return CharKind::kNumber;
  return CharKind::kOther;
}

// Length of the contraction ('s 't 're 've 'm 'll 'd, lower case only) at text[i], or 0.
size_t contraction_at(const TrackedText& text, size_t i) {
  if (text[i].cp != U'\'' || i + 1 >= text.size()) return 0;
  const char32_t a = text[i + 1].cp;
  if (a == U's' || a == U't' || a == U'm' || a == U'd') return 2;
  if (i + 2 >= text.size()) return 0;
  const char32_t b = text[i + 2].cp;
  if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) return 3;
  return 0;
}

size_t match_at(const TrackedText& text, size_t i, const std::vector<CharKind>& kinds) {
  const size_t n = text.size();
  if (const size_t c = contraction_at(text, i)) return i + c;
  // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": an optional U+0020, then a run of one kind.
  const size_t body = (text[i].cp == U' ' && i + 1 < n) ? i + 1 : i;
  for (const size_t start : {body, i}) {
    const CharKind k = kinds[start];
    if (k == CharKind::kSpace) continue;
    size_t end = start + 1;
    while (end < n && kinds[end] == k) ++end;
    return end;
  }
  // "\s+(?!\S)": a whitespace run, minus its last character when a non-space follows; "\s+" when
  // that leaves nothing.
  size_t end = i + 1;
  while (end < n && kinds[end] == CharKind::kSpace) ++end;
  if (end < n && end - i >= 2) return end - 1;
  return end;
}

}  // namespace

std::vector<MatchRun> gpt2_split_runs(const TrackedText& text) {
  std::vector<CharKind> kinds(text.size());
  for (size_t i = 0; i < text.size(); ++i) kinds[i] = kind_of(text[i].cp);
  std::vector<MatchRun> runs;
  size_t i = 0;
  while (i < text.size()) {
    const size_t end = match_at(text, i, kinds);
    runs.push_back({i, end, true});
    i = end;
  }
  return runs;
}

}  // namespace jpqd::text::pipeline
