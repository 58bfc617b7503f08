#include "text/bert_tokenizer.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "text/basic_tokenizer.h"
#include "text/normalization.h"
#include "text/special_tokens.h"
#include "text/unicode_classes.h"
#include "text/wordpiece.h"

namespace jpqd::text {
namespace {

// Length in bytes of the special token that starts at text[i], or 0. HF finds special tokens
// (case-sensitively, anywhere, even inside words) before any other processing. They are ASCII, and
// in UTF-8 an ASCII byte is always a character of its own, so comparing bytes finds exactly the
// occurrences that comparing decoded characters would.
size_t special_token_at(std::string_view text, size_t i) {
  for (const char* special : kSpecialTokens) {
    const std::string_view s = special;
    if (text.compare(i, s.size(), s) == 0) return s.size();
  }
  return 0;
}

// What the byte loop of to_pieces needs to know about a byte.
enum ByteClass : uint8_t {
  kOtherByte,      // control or part of a non-ASCII character: the chunk takes the general path
  kChunkEnd,       // ' ', \t, \n, \r
  kWordByte,       // printable ASCII, not punctuation
  kPunctuationByte,
};
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> classes{};
  for (const char c : {' ', '\t', '\n', '\r'}) classes[static_cast<unsigned char>(c)] = kChunkEnd;
  for (char32_t c = 0x21; c <= 0x7E; ++c) classes[c] = is_ascii_punctuation(c) ? kPunctuationByte : kWordByte;
  return classes;
}();

uint8_t byte_class(char c) { return kByteClass[static_cast<unsigned char>(c)]; }

}  // namespace

// The text between special tokens is cut at ASCII whitespace bytes into chunks that are tokenized
// one by one, which is exact: each of those bytes stays a character of its own through decoding,
// becomes a space in cleaning, and nothing joins across a space (lower-casing and CJK spacing work
// per character, NFC never composes with or reorders across a starter that composes with nothing,
// and the rest works per word). Most chunks of English text are then printable ASCII, where every
// character is one byte of the original and BasicTokenizer reduces to the punctuation split, done
// here in the same pass that finds the chunk, with no TrackedText and no utf8proc. Other chunks
// take the general path.
std::vector<WordPiece> BertTokenizer::to_pieces(const std::string& text) const {
  std::vector<WordPiece> pieces;
  // About one token per 4-5 bytes of English; reserving that saves most regrowth.
  pieces.reserve(text.size() / 4 + 1);
  // Lower-cased once for the whole text (ASCII letters only: that is all lower-casing does to the
  // printable-ASCII chunks that read it; the general path lower-cases the original itself).
  std::string lowered;
  std::string_view ascii_source = text;
  if (options_.do_lower_case) {
    lowered = text;
    for (char& c : lowered) c = static_cast<char>(c + ((static_cast<unsigned char>(c - 'A') < 26) ? 'a' - 'A' : 0));
    ascii_source = lowered;
  }
  std::vector<std::pair<size_t, size_t>> words;

  const auto add_word = [&](size_t begin, size_t end) {
    wordpiece_->tokenize_ascii(ascii_source.substr(begin, end - begin), static_cast<int64_t>(begin), pieces);
  };
  const auto add_chunk = [&](size_t begin, size_t end, bool printable_ascii) {
    if (printable_ascii) {
      words.clear();
      basic_.tokenize_ascii(ascii_source.substr(begin, end - begin), words);
      for (const auto& [b, e] : words) add_word(begin + b, begin + e);
      return;
    }
    TrackedText chars = decode_utf8(std::string_view(text).substr(begin, end - begin), static_cast<int64_t>(begin));
    if (options_.do_lower_case) lower_case_per_char(chars);
    for (const TrackedText& word : basic_.tokenize(std::move(chars))) wordpiece_->tokenize(word, pieces);
  };
  const auto add_stretch = [&](size_t begin, size_t end) {
    size_t i = begin;
    while (i < end) {
      if (byte_class(text[i]) == kChunkEnd) {
        ++i;
        continue;
      }
      const size_t chunk = i;
      const size_t first_piece = pieces.size();
      bool printable_ascii = true;
      // A bracketed chunk may be a never-split token, which BasicTokenizer must see whole.
      bool split_here = text[i] != '[';
      size_t word = i;
      while (i < end) {
        const uint8_t c = byte_class(text[i]);
        if (c == kWordByte) {
          ++i;
          continue;
        }
        if (c == kChunkEnd) break;
        if (c == kOtherByte) {
          printable_ascii = split_here = false;
        } else if (split_here) {
          if (i > word) add_word(word, i);
          add_word(i, i + 1);
          word = i + 1;
        }
        ++i;
      }
      if (split_here) {
        if (i > word) add_word(word, i);
        continue;
      }
      pieces.resize(first_piece);
      add_chunk(chunk, i, printable_ascii);
    }
  };

  size_t stretch = 0;
  for (size_t i = text.find('['); i != std::string::npos; i = text.find('[', i)) {
    const size_t n = special_token_at(text, i);
    if (n == 0) {
      ++i;
      continue;
    }
    add_stretch(stretch, i);
    pieces.push_back({vocab_.id(text.substr(i, n)), static_cast<int64_t>(i), static_cast<int64_t>(i + n)});
    i += n;
    stretch = i;
  }
  add_stretch(stretch, text.size());
  return pieces;
}

namespace {

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

}  // namespace

BertTokenizer::BertTokenizer(Vocab vocab, TokenizerOptions options)
    : vocab_(std::move(vocab)),
      options_(std::move(options)),
      basic_({options_.do_lower_case, options_.strip_accents, options_.tokenize_chinese_chars},
             std::vector<std::string>(std::begin(kSpecialTokens), std::end(kSpecialTokens))) {
  JPQD_CHECK(options_.max_input_chars_per_word > 0, InvalidArgument, "max_input_chars_per_word must be positive, got ",
             options_.max_input_chars_per_word);
  JPQD_CHECK(options_.model_max_length > 0, InvalidArgument, "model_max_length must be positive, got ",
             options_.model_max_length);
  wordpiece_ = std::make_shared<const WordPieceTokenizer>(vocab_, options_.max_input_chars_per_word);
}

std::vector<std::string> BertTokenizer::tokenize(const std::string& text) const {
  std::vector<std::string> tokens;
  for (const WordPiece& piece : to_pieces(text)) tokens.push_back(vocab_.token(piece.id));
  return tokens;
}

std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> BertTokenizer::tokenize_with_offsets(
    const std::string& text) const {
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> tokens;
  for (const WordPiece& piece : to_pieces(text)) {
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
  std::vector<WordPiece> first = to_pieces(text);
  std::vector<WordPiece> second;
  if (text_pair) second = to_pieces(*text_pair);
  truncate(first, text_pair ? &second : nullptr, max_length, truncation);

  // One vector at a time, the constant runs as fills: cheaper than five push_backs per token.
  const int64_t cls = vocab_.cls_id();
  const int64_t sep = vocab_.sep_id();
  const int64_t pad = padding == Padding::kMaxLength ? vocab_.pad_id() : 0;
  const size_t length = first.size() + second.size() + (text_pair ? 3 : 2);
  const size_t total = padding == Padding::kMaxLength ? std::max(length, static_cast<size_t>(max_length)) : length;
  const size_t first_length = first.size() + 2;  // [CLS] first [SEP]
  Encoding e;
  e.input_ids.reserve(total);
  e.offsets.reserve(total);
  const auto add_pieces = [&](const std::vector<WordPiece>& pieces) {
    for (const WordPiece& p : pieces) {
      e.input_ids.push_back(p.id);
      e.offsets.emplace_back(p.begin, p.end);
    }
    e.input_ids.push_back(sep);
    e.offsets.emplace_back(0, 0);
  };
  e.input_ids.push_back(cls);
  e.offsets.emplace_back(0, 0);
  add_pieces(first);
  if (text_pair) add_pieces(second);
  e.input_ids.resize(total, pad);
  e.offsets.resize(total, {0, 0});

  e.token_type_ids.assign(first_length, 0);
  e.token_type_ids.resize(length, 1);
  e.token_type_ids.resize(total, 0);
  e.attention_mask.assign(length, 1);
  e.attention_mask.resize(total, 0);
  e.sequence_ids.reserve(total);
  e.sequence_ids.push_back(-1);
  e.sequence_ids.resize(first_length - 1, 0);
  e.sequence_ids.push_back(-1);
  if (text_pair) {
    e.sequence_ids.resize(length - 1, 1);
    e.sequence_ids.push_back(-1);
  }
  e.sequence_ids.resize(total, -1);
  return e;
}

}  // namespace jpqd::text
