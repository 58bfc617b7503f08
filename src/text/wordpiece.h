// Greedy longest-match-first WordPiece (HF WordpieceTokenizer): a word is cut into the longest
// vocabulary entries from the left, continuations spelled "##piece". A word longer than
// max_input_chars_per_word code points, or one with any part that matches nothing, becomes a single
// [UNK] (never a partial split).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "text/token_table.h"
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
  // Keeps its own lookup tables (not a reference to `vocab`), so it may outlive the vocabulary.
  WordPieceTokenizer(const Vocab& vocab, int max_input_chars_per_word);

  // Appends the pieces of `word` (non-empty, no spaces) to `out`.
  void tokenize(const TrackedText& word, std::vector<WordPiece>& out) const;
  // The same for a word of ASCII characters that starts at byte `begin` of the original text and
  // still has one byte per character there (lower-casing ASCII keeps that), so that offsets are
  // plain byte positions and no TrackedText is needed.
  void tokenize_ascii(std::string_view word, int64_t begin, std::vector<WordPiece>& out) const;

 private:
  // Word-initial candidates are looked up as they are; continuations without their "##", so that a
  // candidate is always a slice of the word's bytes.
  TokenTable initial_;
  TokenTable continuation_;
  int64_t unk_id_;
  int max_input_chars_per_word_;
};

}  // namespace jpqd::text
