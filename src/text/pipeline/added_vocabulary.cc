#include "text/pipeline/added_vocabulary.h"

#include <algorithm>
#include <cstring>

#include "text/pipeline/char_classes.h"

namespace jpqd::text::pipeline {
namespace {

std::u32string code_points(const TrackedText& text) {
  std::u32string out;
  for (const TrackedChar& c : text) out.push_back(c.cp);
  return out;
}

}  // namespace

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const NormalizerPtr& normalizer)
    : tokens_(std::move(tokens)) {
  for (size_t k = 0; k < tokens_.size(); ++k) {
    const AddedToken& t = tokens_[k];
    if (t.content.empty()) continue;
    TrackedText spelled = decode_utf8(t.content);
    if (t.normalized && normalizer) normalizer->normalize(spelled);
    if (spelled.empty()) continue;
    (t.normalized ? normalized_ : raw_).add({code_points(spelled), k});
    if (t.normalized) continue;
    raw_bytes_.push_back(to_utf8(spelled));
    raw_first_byte_[static_cast<unsigned char>(raw_bytes_.back()[0])] = true;
    for (const TrackedChar& c : spelled) raw_unsearchable_ |= c.cp == kReplacementChar;
  }
  if (std::count(raw_first_byte_.begin(), raw_first_byte_.end(), true) == 1) {
    const auto first = std::find(raw_first_byte_.begin(), raw_first_byte_.end(), true);
    raw_only_first_byte_ = static_cast<int>(first - raw_first_byte_.begin());
  }
}

void AddedVocabulary::PatternSet::add(Pattern p) {
  const char32_t first = p.chars.front();
  if (first < 128) {
    ascii_first[first] = true;
  } else {
    non_ascii_first = true;
  }
  patterns.push_back(std::move(p));
}

bool AddedVocabulary::may_match_raw(std::string_view text) const {
  if (raw_bytes_.empty()) return false;
  if (raw_unsearchable_) return true;
  // A match of code points is a match of their UTF-8 bytes, since the matched characters were decoded
  // from exactly those bytes.
  const auto match_at = [&](size_t i) {
    for (const std::string& p : raw_bytes_) {
      if (p.size() <= text.size() - i && std::memcmp(text.data() + i, p.data(), p.size()) == 0) return true;
    }
    return false;
  };
  if (raw_only_first_byte_ >= 0) {
    for (size_t i = 0; i < text.size(); ++i) {
      const void* at = std::memchr(text.data() + i, raw_only_first_byte_, text.size() - i);
      if (at == nullptr) return false;
      i = static_cast<size_t>(static_cast<const char*>(at) - text.data());
      if (match_at(i)) return true;
    }
    return false;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (raw_first_byte_[static_cast<unsigned char>(text[i])] && match_at(i)) return true;
  }
  return false;
}

void AddedVocabulary::split_on(std::vector<Split>& splits, const PatternSet& set) const {
  const std::vector<Pattern>& patterns = set.patterns;
  if (patterns.empty()) return;
  std::vector<Split> out;
  for (Split& split : splits) {
    if (split.tokens) {
      out.push_back(std::move(split));
      continue;
    }
    const TrackedText& text = split.text;
    const size_t n = text.size();
    size_t emitted = 0;  // text[0, emitted) is already in `out`
    size_t i = 0;
    while (i < n) {
      if (!set.may_start_at(text[i].cp)) {
        ++i;
        continue;
      }
      // The longest pattern starting at i, if any.
      const Pattern* best = nullptr;
      for (const Pattern& p : patterns) {
        if (p.chars.size() > n - i || (best && p.chars.size() <= best->chars.size())) continue;
        if (std::equal(p.chars.begin(), p.chars.end(), text.begin() + static_cast<std::ptrdiff_t>(i),
                       [](char32_t a, const TrackedChar& b) { return a == b.cp; })) {
          best = &p;
        }
      }
      if (!best) {
        ++i;
        continue;
      }
      const AddedToken& token = tokens_[best->token];
      size_t start = i, stop = i + best->chars.size();
      i = stop;  // a match that is discarded below still consumes its text, as the matcher does
      if (token.single_word) {
        const bool word_before = start > 0 && is_word_char(text[start - 1].cp);
        const bool word_after = stop < n && is_word_char(text[stop].cp);
        if (word_before || word_after) continue;
      }
      if (token.lstrip) {
        while (start > emitted && is_white_space(text[start - 1].cp)) --start;
      }
      if (token.rstrip) {
        while (stop < n && is_white_space(text[stop].cp)) ++stop;
      }
      if (emitted < start) {
        out.push_back({TrackedText(text.begin() + static_cast<std::ptrdiff_t>(emitted),
                                   text.begin() + static_cast<std::ptrdiff_t>(start)),
                       std::nullopt});
      }
      TrackedText matched(text.begin() + static_cast<std::ptrdiff_t>(start), text.begin() + static_cast<std::ptrdiff_t>(stop));
      const auto [begin, end] = original_range(matched, 0, matched.size(), 0);
      // The token's text is what it matched, stripped whitespace included (tokenizers reports that).
      std::vector<Token> tokens{{token.id, to_utf8(matched), begin, end}};
      out.push_back({std::move(matched), std::move(tokens)});
      emitted = i = stop;
    }
    if (emitted < n) {
      out.push_back({TrackedText(text.begin() + static_cast<std::ptrdiff_t>(emitted), text.end()), std::nullopt});
    }
  }
  splits.swap(out);
}

std::vector<Split> AddedVocabulary::extract_and_normalize(const std::string& text, const Normalizer* normalizer) const {
  std::vector<Split> splits{{decode_utf8(text), std::nullopt}};
  if (may_match_raw(text)) split_on(splits, raw_);
  if (normalizer) {
    for (Split& s : splits) {
      if (!s.tokens) normalizer->normalize(s.text);
    }
  }
  split_on(splits, normalized_);
  // Text a normalizer emptied carries no tokens; tokenizers drops such splits too.
  splits.erase(std::remove_if(splits.begin(), splits.end(), [](const Split& s) { return !s.tokens && s.text.empty(); }),
               splits.end());
  return splits;
}

}  // namespace jpqd::text::pipeline
