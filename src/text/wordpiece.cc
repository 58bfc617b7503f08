#include "text/wordpiece.h"

#include <algorithm>
#include <optional>
#include <string>

namespace jpqd::text {
namespace {

WordPiece span_of(const TrackedText& word, size_t first, size_t last, int64_t id) {
  // Characters of one piece may come out of order after canonical reordering: take the hull.
  int64_t begin = word[first].begin;
  int64_t end = word[first].end;
  for (size_t i = first + 1; i < last; ++i) {
    begin = std::min(begin, word[i].begin);
    end = std::max(end, word[i].end);
  }
  return {id, begin, end};
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(const Vocab& vocab, int max_input_chars_per_word)
    : vocab_(vocab), max_input_chars_per_word_(max_input_chars_per_word) {}

void WordPieceTokenizer::tokenize(const TrackedText& word, std::vector<WordPiece>& out) const {
  const size_t n = word.size();
  if (static_cast<int64_t>(n) > max_input_chars_per_word_) {
    out.push_back(span_of(word, 0, n, vocab_.unk_id()));
    return;
  }
  // UTF-8 of the word and the byte position where each character starts, so candidate substrings
  // are byte slices.
  std::string bytes;
  std::vector<size_t> char_start(n + 1);
  for (size_t i = 0; i < n; ++i) {
    char_start[i] = bytes.size();
    append_utf8(bytes, word[i].cp);
  }
  char_start[n] = bytes.size();

  const size_t first_piece = out.size();
  std::string candidate;
  size_t start = 0;
  while (start < n) {
    size_t end = n;
    std::optional<int64_t> match;
    for (; end > start; --end) {
      candidate.assign(start > 0 ? "##" : "");
      candidate.append(bytes, char_start[start], char_start[end] - char_start[start]);
      match = vocab_.find(candidate);
      if (match) break;
    }
    if (!match) {
      out.resize(first_piece);
      out.push_back(span_of(word, 0, n, vocab_.unk_id()));
      return;
    }
    out.push_back(span_of(word, start, end, *match));
    start = end;
  }
}

}  // namespace jpqd::text
