// The BERT pipeline's shortcut through ASCII words. BertNormalizer (and the normalizers that act on
// ASCII as it does, Normalizer::acts_per_ascii_char) changes printable ASCII one character at a time,
// at most lower-casing it, and BertPreTokenizer then splits on white space and isolates punctuation.
// So a word of printable ASCII between ' ', '\t', '\n' or '\r' needs neither stage as such: lower-cased
// byte by byte and cut at punctuation, it gives the pieces the model would get, and its characters
// are its bytes, so offsets are byte positions. Most English text is such words; a word with any
// other byte (non-ASCII, a control) goes through the stages alone, which gives what the whole text
// would, since the normalizers treat the four spaces as a cut and the pre-tokenizer drops them.
#include <algorithm>
#include <array>
#include <cstdint>

#include "text/pipeline/char_classes.h"
#include "text/pipeline/tokenizer_pipeline.h"

namespace jpqd::text::pipeline {
namespace {

enum class ByteClass : uint8_t { kOther, kSpace, kWord, kPunctuation };

const std::array<ByteClass, 256>& byte_classes() {
  static const std::array<ByteClass, 256> table = [] {
    std::array<ByteClass, 256> t{};  // kOther: controls (cleaning drops 0x0B and 0x0C), DEL, non-ASCII
    for (char32_t b = 0x21; b < 0x7F; ++b) {
      t[b] = is_punctuation(b) ? ByteClass::kPunctuation : ByteClass::kWord;
    }
    for (const unsigned char space : {' ', '\t', '\n', '\r'}) t[space] = ByteClass::kSpace;
    return t;
  }();
  return table;
}

}  // namespace

void TokenizerPipeline::encode_by_words(std::string_view text, int sequence, EncodedText& out) const {
  const std::array<ByteClass, 256>& classes = byte_classes();
  const auto class_of = [&](size_t i) { return classes[static_cast<unsigned char>(text[i])]; };
  std::string piece;
  std::vector<ModelToken> tokens;
  // The model's tokens of text[first, last), with offsets as encode_splits computes them for
  // characters that are single bytes.
  const auto encode_piece = [&](size_t first, size_t last) {
    piece.assign(text.data() + first, last - first);
    if (ascii_lowercase_) {
      for (char& c : piece) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
    }
    tokens.clear();
    parts_.model->tokenize(piece, tokens);
    const size_t n = piece.size();
    for (ModelToken& t : tokens) {
      const size_t begin = std::min(t.begin, n);
      const size_t end = std::max(std::min(t.end, n), begin + 1);
      out.add_token(t.id, std::move(t.value), static_cast<int64_t>(first + begin), static_cast<int64_t>(first + end),
                    sequence);
    }
  };
  size_t i = 0;
  while (i < text.size()) {
    if (class_of(i) == ByteClass::kSpace) {
      ++i;
      continue;
    }
    size_t end = i;
    bool simple = true;
    for (; end < text.size() && class_of(end) != ByteClass::kSpace; ++end) simple &= class_of(end) != ByteClass::kOther;
    if (!simple) {
      std::vector<Split> splits{{decode_utf8(text.substr(i, end - i), static_cast<int64_t>(i)), std::nullopt}};
      if (parts_.normalizer) parts_.normalizer->normalize(splits.front().text);
      if (!splits.front().text.empty()) {
        parts_.pre_tokenizer->pre_tokenize(splits);
        encode_splits(splits, sequence, out);
      }
      i = end;
      continue;
    }
    size_t start = i;
    for (size_t k = i; k < end; ++k) {
      if (class_of(k) != ByteClass::kPunctuation) continue;
      if (start < k) encode_piece(start, k);
      encode_piece(k, k + 1);
      start = k + 1;
    }
    if (start < end) encode_piece(start, end);
    i = end;
  }
}

}  // namespace jpqd::text::pipeline
