#include "text/wordpiece.h"

#include <algorithm>
#include <string>
#include <utility>

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

// The greedy match over the `n` characters of `bytes`, character i starting at byte byte_at(i)
// (byte_at(n) = bytes.size()); emit(first_char, last_char, id) for each piece. False, with some
// pieces already emitted, when a part of the word matches nothing.
template <typename ByteAt, typename Emit>
bool longest_matches(const TokenTable& initial, const TokenTable& continuation, std::string_view bytes, size_t n,
                     ByteAt byte_at, Emit emit) {
  // Enough for any real vocabulary's longest token; longer candidates are hashed one by one.
  constexpr size_t kMaxPrefixHashes = 256;
  uint32_t prefix_hash[kMaxPrefixHashes + 1];
  size_t start = 0;
  while (start < n) {
    const TokenTable& table = start == 0 ? initial : continuation;
    const size_t from = byte_at(start);
    size_t end = n;
    while (end > start && byte_at(end) - from > table.max_key_bytes()) --end;
    const size_t longest = byte_at(end) - from;
    const bool hashed = longest <= kMaxPrefixHashes;
    if (hashed) {
      prefix_hash[0] = TokenTable::kEmptyHash;
      for (size_t k = 0; k < longest; ++k) prefix_hash[k + 1] = TokenTable::extend_hash(prefix_hash[k], bytes[from + k]);
    }
    int64_t id = -1;
    for (; end > start; --end) {
      const size_t length = byte_at(end) - from;
      const std::string_view candidate = bytes.substr(from, length);
      id = hashed ? table.find(candidate, prefix_hash[length]) : table.find(candidate);
      if (id >= 0) break;
    }
    if (id < 0) return false;
    emit(start, end, id);
    start = end;
  }
  return true;
}

}  // namespace

WordPieceTokenizer::WordPieceTokenizer(const Vocab& vocab, int max_input_chars_per_word)
    : unk_id_(vocab.unk_id()), max_input_chars_per_word_(max_input_chars_per_word) {
  std::vector<std::pair<std::string_view, int64_t>> initial, continuation;
  initial.reserve(static_cast<size_t>(vocab.size()));
  for (int64_t id = 0; id < vocab.size(); ++id) {
    const std::string_view token = vocab.tokens()[static_cast<size_t>(id)];
    initial.emplace_back(token, id);
    if (token.size() >= 2 && token[0] == '#' && token[1] == '#') continuation.emplace_back(token.substr(2), id);
  }
  initial_ = TokenTable(initial);
  continuation_ = TokenTable(continuation);
}

void WordPieceTokenizer::tokenize(const TrackedText& word, std::vector<WordPiece>& out) const {
  const size_t n = word.size();
  if (static_cast<int64_t>(n) > max_input_chars_per_word_) {
    out.push_back(span_of(word, 0, n, unk_id_));
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
  const bool matched = longest_matches(
      initial_, continuation_, bytes, n, [&](size_t i) { return char_start[i]; },
      [&](size_t first, size_t last, int64_t id) { out.push_back(span_of(word, first, last, id)); });
  if (!matched) {
    out.resize(first_piece);
    out.push_back(span_of(word, 0, n, unk_id_));
  }
}

void WordPieceTokenizer::tokenize_ascii(std::string_view word, int64_t begin, std::vector<WordPiece>& out) const {
  const size_t n = word.size();
  const auto whole = WordPiece{unk_id_, begin, begin + static_cast<int64_t>(n)};
  if (static_cast<int64_t>(n) > max_input_chars_per_word_) {
    out.push_back(whole);
    return;
  }
  const size_t first_piece = out.size();
  const bool matched = longest_matches(
      initial_, continuation_, word, n, [](size_t i) { return i; },
      [&](size_t first, size_t last, int64_t id) {
        out.push_back({id, begin + static_cast<int64_t>(first), begin + static_cast<int64_t>(last)});
      });
  if (!matched) {
    out.resize(first_piece);
    out.push_back(whole);
  }
}

}  // namespace jpqd::text
