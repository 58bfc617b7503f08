#include "text/pipeline/added_vocabulary.h"

#include <algorithm>

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
    (t.normalized ? normalized_patterns_ : raw_patterns_).push_back({code_points(spelled), k});
  }
}

void AddedVocabulary::split_on(std::vector<Split>& splits, const std::vector<Pattern>& patterns) const {
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
  split_on(splits, raw_patterns_);
  if (normalizer) {
    for (Split& s : splits) {
      if (!s.tokens) normalizer->normalize(s.text);
    }
  }
  split_on(splits, normalized_patterns_);
  // Text a normalizer emptied carries no tokens; tokenizers drops such splits too.
  splits.erase(std::remove_if(splits.begin(), splits.end(), [](const Split& s) { return !s.tokens && s.text.empty(); }),
               splits.end());
  return splits;
}

}  // namespace jpqd::text::pipeline
