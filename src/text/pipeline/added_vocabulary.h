// Added tokens (tokenizer.json's "added_tokens"): found in the text before the model sees it and
// never split. Tokens with normalized=false are looked for in the raw text first; the rest of the
// text is then normalized and the normalized=true tokens looked for in it, in their normalized
// spelling. At each position the longest token starting leftmost wins; single_word tokens must not
// touch word characters; lstrip/rstrip tokens take the whitespace to their left/right with them.
#pragma once

#include <cstdint>
#include <string>
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

 private:
  struct Pattern {
    std::u32string chars;
    size_t token;  // index into tokens_
  };
  // Cuts the text splits of `splits` at occurrences of `patterns`.
  void split_on(std::vector<Split>& splits, const std::vector<Pattern>& patterns) const;

  std::vector<AddedToken> tokens_;
  std::vector<Pattern> raw_patterns_;
  std::vector<Pattern> normalized_patterns_;
};

}  // namespace jpqd::text::pipeline
