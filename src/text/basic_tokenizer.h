// BERT's "basic" pre-tokenization (HF BasicTokenizer) on one stretch of text that contains no special
// token: cleaning, CJK splitting, NFC, whitespace split, lower-casing and accent stripping, punctuation
// split. Words keep the original byte range of every character.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "text/utf8.h"

namespace jpqd::text {

struct BasicTokenizerOptions {
  bool do_lower_case = true;
  std::optional<bool> strip_accents;  // nullopt: strip when lower-casing
  bool tokenize_chinese_chars = true;
};

class BasicTokenizer {
 public:
  // `never_split`: whole whitespace-separated words that are neither lower-cased nor split (HF passes
  // the special tokens; they can still appear here when cleaning joins them, e.g. "[MA\0SK]").
  BasicTokenizer(BasicTokenizerOptions options, std::vector<std::string> never_split);

  // `text` is one stretch between special tokens, already lower-cased per character when
  // do_lower_case (HF does that before it looks for special tokens).
  std::vector<TrackedText> tokenize(TrackedText text) const;
  // tokenize() of one word of printable ASCII (U+0021..U+007E), already lower-cased when
  // do_lower_case: what is left of the steps above is the punctuation split, with no Unicode work.
  // Appends the [begin, end) byte ranges of the resulting words within `word` to `out`.
  void tokenize_ascii(std::string_view word, std::vector<std::pair<size_t, size_t>>& out) const;

 private:
  bool strips_accents() const;
  bool is_never_split(std::string_view word) const;
  bool is_never_split(const TrackedText& word) const;
  void split_on_punctuation(TrackedText word, std::vector<TrackedText>& out) const;

  BasicTokenizerOptions options_;
  std::vector<std::string> never_split_;
};

}  // namespace jpqd::text
