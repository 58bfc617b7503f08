#include "text/basic_tokenizer.h"

#include <algorithm>
#include <utility>

#include "text/normalization.h"
#include "text/unicode_classes.h"

namespace jpqd::text {
namespace {

// HF _clean_text: drop NUL, U+FFFD and controls; every whitespace becomes a plain space. In place,
// since the text only shrinks.
void clean(TrackedText& text) {
  size_t kept = 0;
  for (const TrackedChar& c : text) {
    if (c.cp == 0 || c.cp == kReplacementChar || is_bert_control(c.cp)) continue;
    text[kept++] = {is_bert_whitespace(c.cp) ? U' ' : c.cp, c.begin, c.end};
  }
  text.resize(kept);
}

// HF _tokenize_chinese_chars: real spaces, since NFC runs afterwards and must not see the
// ideographs' neighbours.
TrackedText space_out_cjk(const TrackedText& text) {
  TrackedText out;
  out.reserve(text.size());
  for (const TrackedChar& c : text) {
    if (is_cjk_ideograph(c.cp)) {
      out.push_back({U' ', c.begin, c.begin});
      out.push_back(c);
      out.push_back({U' ', c.end, c.end});
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool has_cjk_ideograph(const TrackedText& text) {
  return std::any_of(text.begin(), text.end(), [](const TrackedChar& c) { return is_cjk_ideograph(c.cp); });
}

bool has_python_space(const TrackedText& text) {
  return std::any_of(text.begin(), text.end(), [](const TrackedChar& c) { return is_python_space(c.cp); });
}

// Python's str.split(): maximal runs of non-space characters.
std::vector<TrackedText> split_on_spaces(const TrackedText& text) {
  std::vector<TrackedText> words;
  TrackedText current;
  for (const TrackedChar& c : text) {
    if (is_python_space(c.cp)) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

}  // namespace

BasicTokenizer::BasicTokenizer(BasicTokenizerOptions options, std::vector<std::string> never_split)
    : options_(options), never_split_(std::move(never_split)) {}

bool BasicTokenizer::strips_accents() const {
  return options_.strip_accents.value_or(options_.do_lower_case);
}

bool BasicTokenizer::is_never_split(std::string_view word) const {
  return std::find(never_split_.begin(), never_split_.end(), word) != never_split_.end();
}

bool BasicTokenizer::is_never_split(const TrackedText& word) const {
  // Every never-split token BERT has is bracketed; skip the encoding for ordinary words.
  if (never_split_.empty() || word.front().cp != U'[' || word.back().cp != U']') return false;
  return is_never_split(encode_utf8(word.data(), word.data() + word.size()));
}

void BasicTokenizer::split_on_punctuation(TrackedText word, std::vector<TrackedText>& out) const {
  TrackedText current;
  for (const TrackedChar& c : word) {
    if (is_bert_punctuation(c.cp)) {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
      out.push_back({c});
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
}

void BasicTokenizer::tokenize_ascii(std::string_view word, std::vector<std::pair<size_t, size_t>>& out) const {
  // Printable ASCII passes cleaning, CJK spacing, NFC, lower-casing again and accent stripping
  // unchanged and contains no space, so the word stays whole up to the punctuation split.
  if (!word.empty() && word.front() == '[' && word.back() == ']' && is_never_split(word)) {
    out.emplace_back(0, word.size());
    return;
  }
  size_t start = 0;
  for (size_t i = 0; i < word.size(); ++i) {
    if (!is_ascii_punctuation(static_cast<unsigned char>(word[i]))) continue;
    if (i > start) out.emplace_back(start, i);
    out.emplace_back(i, i + 1);
    start = i + 1;
  }
  if (start < word.size()) out.emplace_back(start, word.size());
}

std::vector<TrackedText> BasicTokenizer::tokenize(TrackedText text) const {
  clean(text);
  if (options_.tokenize_chinese_chars && has_cjk_ideograph(text)) text = space_out_cjk(text);
  text = nfc(text);

  std::vector<TrackedText> pieces;
  size_t i = 0;
  while (i < text.size()) {
    if (is_python_space(text[i].cp)) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < text.size() && !is_python_space(text[end].cp)) ++end;
    TrackedText word(text.begin() + static_cast<std::ptrdiff_t>(i), text.begin() + static_cast<std::ptrdiff_t>(end));
    i = end;
    if (is_never_split(word)) {
      pieces.push_back(std::move(word));
      continue;
    }
    // Lower-casing again is a no-op on text that tokenize() already lower-cased, except for what
    // NFC composed in between; HF does it here too.
    if (options_.do_lower_case) lower_case_per_char(word);
    if (strips_accents()) {
      word = nfd(word);
      remove_nonspacing_marks(word);
    }
    split_on_punctuation(std::move(word), pieces);
  }
  // HF joins the pieces with spaces and splits again; only a space produced by the steps above could
  // make a difference, so re-split for exactness (pieces without one are already split).
  std::vector<TrackedText> words;
  words.reserve(pieces.size());
  for (TrackedText& piece : pieces) {
    if (!has_python_space(piece)) {
      words.push_back(std::move(piece));
      continue;
    }
    for (TrackedText& w : split_on_spaces(piece)) words.push_back(std::move(w));
  }
  return words;
}

}  // namespace jpqd::text
