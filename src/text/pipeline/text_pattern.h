// The patterns tokenizer.json's Replace normalizer and Split pre-tokenizer take: {"String": s}, a
// literal, or {"Regex": r}. jpqd has no regex engine here (std::regex is slow and its Unicode support
// differs from Oniguruma's), so of regexes it accepts the ones real tokenizer files use: one character
// repeated, "x+" or "x{n,}" (SentencePiece converters write " {2,}"), and GPT-2's pre-tokenizer
// regex. Any other regex is refused naming the pattern.
#pragma once

#include <string>
#include <vector>

#include "common/json_util.h"
#include "text/pipeline/pieces.h"

namespace jpqd::text::pipeline {

class TextPattern {
 public:
  // `json` is {"String": ...} or {"Regex": ...}; `where` names the file and component for errors.
  static TextPattern from_json(const Json& json, const std::string& where);
  static TextPattern literal(const std::string& text);

  // The runs covering `text`: matches found leftmost first, without overlap, and the text between.
  std::vector<MatchRun> find(const TrackedText& text) const;

 private:
  enum class Kind { kLiteral, kRepeatedChar, kGpt2 };
  Kind kind_ = Kind::kLiteral;
  std::u32string literal_;
  char32_t repeated_ = 0;
  size_t min_repeats_ = 1;
};

// True when `pattern` is, character for character, GPT-2's pre-tokenization regex.
bool is_gpt2_regex(const std::string& pattern);

}  // namespace jpqd::text::pipeline
