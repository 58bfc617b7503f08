// GPT-2's pre-tokenization regex, written out by hand:
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// Alternatives are tried in order at each position, as the regex engine does; every character is
// a letter, a number, whitespace or "other", so the matches cover the whole text.
#pragma once

#include <vector>

#include "text/pipeline/pieces.h"

namespace jpqd::text::pipeline {

std::vector<MatchRun> gpt2_split_runs(const TrackedText& text);

}  // namespace jpqd::text::pipeline
