// Character classes exactly as Hugging Face's slow BertTokenizer defines them (tokenization_bert.py),
// backed by utf8proc's Unicode tables instead of Python's unicodedata. Note that these are BERT's
// classes, not Unicode's: "control" is every category C* (Cc, Cf, Co, Cn, Cs) except \t \n \r, and
// "punctuation" adds all non-alphanumeric ASCII (e.g. $ + < = > ^ ` | ~, which Unicode calls symbols).
// utf8proc's Unicode version (13.0 for libutf8proc 2.6) may lag Python's; characters assigned since
// then are "unassigned" (Cn, so control, so dropped) here.
#pragma once

#include <cstdint>

namespace jpqd::text {

// ' ', \t, \n, \r and category Zs: cleaning maps these to ' '.
bool is_bert_whitespace(char32_t cp);
// Category C* except \t \n \r: cleaning drops these.
bool is_bert_control(char32_t cp);
// ASCII 33-47, 58-64, 91-96, 123-126, or category P*: each becomes a token of its own.
bool is_bert_punctuation(char32_t cp);
// The ASCII half of is_bert_punctuation, inline and branch-light for the tokenizer's per-byte loop:
// one bit per code point below 128.
constexpr bool is_ascii_punctuation(char32_t cp) {
  constexpr auto bits = [](int first, int last, int base) {
    uint64_t mask = 0;
    for (int c = first; c <= last; ++c) {
      if (c >= base && c < base + 64) mask |= uint64_t{1} << (c - base);
    }
    return mask;
  };
  constexpr uint64_t kLow = bits(33, 47, 0) | bits(58, 64, 0) | bits(91, 96, 0) | bits(123, 126, 0);
  constexpr uint64_t kHigh = bits(33, 47, 64) | bits(58, 64, 64) | bits(91, 96, 64) | bits(123, 126, 64);
  if (cp < 64) return (kLow >> cp) & 1;
  return cp < 128 && ((kHigh >> (cp - 64)) & 1);
}

// The CJK Unified Ideograph blocks HF lists in _is_chinese_char (not Hiragana, Katakana or Hangul).
bool is_cjk_ideograph(char32_t cp);
// What Python's str.split() splits on (whitespace_tokenize): Zs, Zl, Zp and the ASCII/C1 separators.
// After cleaning only ' ', U+2028 and U+2029 can still occur.
bool is_python_space(char32_t cp);
// Category Mn: what accent stripping removes after NFD.
bool is_nonspacing_mark(char32_t cp);
int canonical_combining_class(char32_t cp);

}  // namespace jpqd::text
