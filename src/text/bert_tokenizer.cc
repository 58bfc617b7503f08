#include "text/bert_tokenizer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/error.h"
#include "text/basic_tokenizer.h"
#include "text/normalization.h"
#include "text/special_tokens.h"
#include "text/wordpiece.h"

namespace jpqd::text {
namespace {

// Length in characters of the special token starting at text[i], or 0. HF finds special tokens
// (case-sensitively, anywhere, even inside words) before any other processing.
size_t special_token_at(const TrackedText& text, size_t i) {
  if (text[i].cp != U'[') return 0;
  for (const char* special : kSpecialTokens) {
    const size_t n = std::strlen(special);
    if (i + n > text.size()) continue;
    bool match = true;
    for (size_t k = 0; k < n && match; ++k) match = text[i + k].cp == static_cast<char32_t>(special[k]);
    if (match) return n;
  }
  return 0;
}

std::vector<WordPiece> to_pieces(const Vocab& vocab, const TokenizerOptions& options, const std::string& text) {
  const BasicTokenizer basic({options.do_lower_case, options.strip_accents, options.tokenize_chinese_chars},
                             std::vector<std::string>(std::begin(kSpecialTokens), std::end(kSpecialTokens)));
  const WordPieceTokenizer wordpiece(vocab, options.max_input_chars_per_word);
  std::vector<WordPiece> pieces;
  const auto flush = [&](TrackedText stretch) {
    if (stretch.empty()) return;
    if (options.do_lower_case) lower_case_per_char(stretch);
    for (const TrackedText& word : basic.tokenize(std::move(stretch))) wordpiece.tokenize(word, pieces);
  };

  const TrackedText chars = decode_utf8(text);
  TrackedText stretch;
  for (size_t i = 0; i < chars.size();) {
    if (const size_t n = special_token_at(chars, i)) {
      flush(std::move(stretch));
      stretch.clear();
      pieces.push_back({vocab.id(encode_utf8(&chars[i], &chars[i] + n)), chars[i].begin, chars[i + n - 1].end});
      i += n;
    } else {
      stretch.push_back(chars[i]);
      ++i;
    }
  }
  flush(std::move(stretch));
  return pieces;
}

// HF truncate_sequences, right side. Where the slow tokenizer would only log an error and return an
// over-long sequence, this throws instead (as the fast tokenizer does).
void truncate(std::vector<WordPiece>& first, std::vector<WordPiece>* second, int64_t max_length,
              Truncation truncation) {
  const int64_t specials = second ? 3 : 2;
  const int64_t total = static_cast<int64_t>(first.size() + (second ? second->size() : 0)) + specials;
  if (truncation == Truncation::kNone || max_length <= 0 || total <= max_length) return;
  const int64_t excess = total - max_length;
  const auto cut = [&](std::vector<WordPiece>& seq, const char* which) {
    JPQD_CHECK(static_cast<int64_t>(seq.size()) > excess, InvalidArgument, "max_length ", max_length, ": the ", which,
               " text has ", seq.size(), " tokens, cannot remove ", excess, " of them");
    seq.resize(seq.size() - static_cast<size_t>(excess));
  };
  switch (truncation) {
    case Truncation::kLongestFirst:
      if (!second) {
        cut(first, "first");
        return;
      }
      JPQD_CHECK(max_length >= specials, InvalidArgument, "max_length ", max_length, " has no room for a pair's ",
                 specials, " special tokens");
      // One token at a time from the longer text; on a tie from the second.
      for (int64_t k = 0; k < excess; ++k) {
        if (first.size() > second->size()) {
          first.pop_back();
        } else {
          second->pop_back();
        }
      }
      return;
    case Truncation::kOnlyFirst:
      cut(first, "first");
      return;
    case Truncation::kOnlySecond:
      JPQD_CHECK(second != nullptr, InvalidArgument, "truncation only_second needs a text pair");
      cut(*second, "second");
      return;
    case Truncation::kNone:
      return;
  }
}

void append(Encoding& e, int64_t id, int64_t type, std::pair<int64_t, int64_t> offset, int sequence, int64_t mask) {
  e.input_ids.push_back(id);
  e.token_type_ids.push_back(type);
  e.attention_mask.push_back(mask);
  e.offsets.push_back(offset);
  e.sequence_ids.push_back(sequence);
}

}  // namespace

BertTokenizer::BertTokenizer(Vocab vocab, TokenizerOptions options)
    : vocab_(std::move(vocab)), options_(std::move(options)) {
  JPQD_CHECK(options_.max_input_chars_per_word > 0, InvalidArgument, "max_input_chars_per_word must be positive, got ",
             options_.max_input_chars_per_word);
  JPQD_CHECK(options_.model_max_length > 0, InvalidArgument, "model_max_length must be positive, got ",
             options_.model_max_length);
}

std::vector<std::string> BertTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> tokens;
  for (const WordPiece& piece : to_pieces(vocab_, options_, text)) tokens.push_back(vocab_.token(piece.id));
  return tokens;
}

std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> BertTokenizer::tokenize_with_offsets(
    const std::string& text) const {
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> tokens;
  for (const WordPiece& piece : to_pieces(vocab_, options_, text)) {
    tokens.push_back({vocab_.token(piece.id), {piece.begin, piece.end}});
  }
  return tokens;
}

std::vector<int64_t> BertTokenizer::convert_tokens_to_ids(const std::vector<std::string>& tokens) const {
  std::vector<int64_t> ids;
  ids.reserve(tokens.size());
  for (const std::string& token : tokens) ids.push_back(vocab_.id(token));
  return ids;
}

Encoding BertTokenizer::encode(const std::string& text, const std::optional<std::string>& text_pair,
                               int64_t max_length, Truncation truncation, Padding padding) const {
  JPQD_CHECK(max_length >= 0, InvalidArgument, "max_length must be >= 0, got ", max_length);
  JPQD_CHECK(padding != Padding::kMaxLength || max_length > 0, InvalidArgument,
             "padding to max_length needs a max_length > 0");
  std::vector<WordPiece> first = to_pieces(vocab_, options_, text);
  std::vector<WordPiece> second;
  if (text_pair) second = to_pieces(vocab_, options_, *text_pair);
  truncate(first, text_pair ? &second : nullptr, max_length, truncation);

  Encoding e;
  const size_t length = first.size() + second.size() + (text_pair ? 3 : 2);
  const size_t capacity = padding == Padding::kMaxLength ? std::max(length, static_cast<size_t>(max_length)) : length;
  e.input_ids.reserve(capacity);
  e.token_type_ids.reserve(capacity);
  e.attention_mask.reserve(capacity);
  e.offsets.reserve(capacity);
  e.sequence_ids.reserve(capacity);

  append(e, vocab_.cls_id(), 0, {0, 0}, -1, 1);
  for (const WordPiece& p : first) append(e, p.id, 0, {p.begin, p.end}, 0, 1);
  append(e, vocab_.sep_id(), 0, {0, 0}, -1, 1);
  if (text_pair) {
    for (const WordPiece& p : second) append(e, p.id, 1, {p.begin, p.end}, 1, 1);
    append(e, vocab_.sep_id(), 1, {0, 0}, -1, 1);
  }
  if (padding == Padding::kMaxLength) {
    const int64_t pad = vocab_.pad_id();
    while (static_cast<int64_t>(e.input_ids.size()) < max_length) append(e, pad, 0, {0, 0}, -1, 0);
  }
  return e;
}

}  // namespace jpqd::text
