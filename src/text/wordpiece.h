// Greedy longest-match-first WordPiece (HF WordpieceTokenizer): a word is cut into the longest
// vocabulary entries from the left, continuations spelled "##piece". A word longer than
// max_input_chars_per_word code points, or one with any part that matches nothing, becomes a single
// [UNK] (never a partial split).
#pragma once

#include <cstdint>
#include <vector>

#include "text/utf8.h"
#include "text/vocab.h"

namespace jpqd::text {

struct WordPiece {
  int64_t id;
  int64_t begin;  // byte range in the original text
  int64_t end;
};

class WordPieceTokenizer {
 public:
  WordPieceTokenizer(const Vocab& vocab, int max_input_chars_per_word);

  // Appends the pieces of `word` (non-empty, no spaces) to `out`.
  void tokenize(const TrackedText& word, std::vector<WordPiece>& out) const;

 private:
  const Vocab& vocab_;
  int max_input_chars_per_word_;
};

}  // namespace jpqd::text
