// Added tokens (tokenizer.json's "added_tokens"): found in the text before the model sees it and
// never split. Tokens with normalized=false are looked for in the raw text first; the rest of the
// text is then normalized and the normalized=true tokens looked for in it, in their normalized
// spelling. At each position the longest token starting leftmost wins; single_word tokens must not
// touch word characters; lstrip/rstrip tokens take the whitespace to their left/right with them.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "text/pipeline/normalizers.h"
#include "text/pipeline/pieces.h"

namespace jpqd::text::pipeline {

struct AddedToken {
  int64_t id;
  std::string content;
  bool special = false;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
};

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  // `normalizer` (may be null) gives the spelling of normalized tokens.
  AddedVocabulary(std::vector<AddedToken> tokens, const NormalizerPtr& normalizer);

  // The original text cut into added tokens and normalized text between them.
  std::vector<Split> extract_and_normalize(const std::string& text, const Normalizer* normalizer) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

  // False when no normalized=false token can occur in `text`, which is then one split: a byte search,
  // much cheaper than the matcher over decoded text.
  bool may_match_raw(std::string_view text) const;
  bool has_normalized_tokens() const { return !normalized_.patterns.empty(); }

 private:
  struct Pattern {
    std::u32string chars;
    size_t token;  // index into tokens_
  };
  struct PatternSet {
    std::vector<Pattern> patterns;
    // The characters patterns start with, so the matcher skips every other position at once.
    std::array<bool, 128> ascii_first{};
    bool non_ascii_first = false;
    bool may_start_at(char32_t cp) const { return cp < 128 ? ascii_first[cp] : non_ascii_first; }
    void add(Pattern p);
  };
  // Cuts the text splits of `splits` at occurrences of `set`'s patterns.
  void split_on(std::vector<Split>& splits, const PatternSet& set) const;

  std::vector<AddedToken> tokens_;
  PatternSet raw_;
  PatternSet normalized_;
  // The raw patterns' UTF-8, and the bytes they start with, for may_match_raw.
  std::vector<std::string> raw_bytes_;
  std::array<bool, 256> raw_first_byte_{};
  int raw_only_first_byte_ = -1;  // the byte all raw patterns start with, if one ([ for BERT's)
  bool raw_unsearchable_ = false;  // a raw pattern holds U+FFFD, which invalid bytes decode to
};

}  // namespace jpqd::text::pipeline
