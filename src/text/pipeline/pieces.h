// The text a tokenizer pipeline passes from stage to stage. A piece is normalized text in which every
// character remembers the byte range of the original input it came from (text/utf8.h), so tokens can
// report offsets into the original text whatever the normalizers did. A character inserted by a
// normalizer or pre-tokenizer (a prefix space, Metaspace's "▁") gets the empty range where it was
// inserted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "text/utf8.h"

namespace jpqd::text::pipeline {

// A token a model or the added vocabulary produced, before post-processing.
struct Token {
  int64_t id;
  std::string value;
  int64_t begin;  // byte range in the original text
  int64_t end;
};

// One piece of a pre-tokenized text: either still text, or already tokens (an added token).
struct Split {
  TrackedText text;
  std::optional<std::vector<Token>> tokens;
};

std::string to_utf8(const TrackedText& text);
// The original byte range a run of characters covers ({where, where} for no characters).
std::pair<int64_t, int64_t> original_range(const TrackedText& text, size_t first, size_t last, int64_t where);

// How a pre-tokenizer treats the characters it splits on (tokenizers' SplitDelimiterBehavior).
enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };
SplitBehavior parse_split_behavior(const std::string& name, const std::string& where);

// A run [first, last) of characters and whether it is a delimiter match; runs cover the text in order.
struct MatchRun {
  size_t first;
  size_t last;
  bool is_match;
};
// Cuts `text` into the pieces `behavior` keeps; empty pieces are dropped.
std::vector<TrackedText> split_by_runs(const TrackedText& text, const std::vector<MatchRun>& runs,
                                       SplitBehavior behavior);
// Runs where each character `is_delimiter` says yes to is a match of its own.
template <typename Predicate>
std::vector<MatchRun> runs_of_chars(const TrackedText& text, Predicate is_delimiter) {
  std::vector<MatchRun> runs;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!is_delimiter(text[i].cp)) continue;
    if (start < i) runs.push_back({start, i, false});
    runs.push_back({i, i + 1, true});
    start = i + 1;
  }
  if (start < text.size()) runs.push_back({start, text.size(), false});
  return runs;
}

}  // namespace jpqd::text::pipeline
