// The official SQuAD v1.1 evaluation (evaluate-v1.1.py): answers normalised (lower case, ASCII
// punctuation removed, articles a/an/the removed, whitespace collapsed), exact match and token F1
// against every gold answer, the maximum kept, averaged over questions and multiplied by 100.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json_util.h"
#include "data/squad.h"

namespace jpqd::data {

// Unicode-aware where Python is: lower-casing per character (Python's str.lower, without the
// final-sigma rule), \b of the article regex between Unicode letters/digits, str.split() spaces.
std::string normalize_answer(const std::string& text);
double squad_exact_match(const std::string& prediction, const std::string& ground_truth);  // 0 or 1
double squad_f1(const std::string& prediction, const std::string& ground_truth);

struct SquadScores {
  double exact_match = 0;  // percent
  double f1 = 0;           // percent
  int64_t total = 0;       // questions scored
  int64_t missing = 0;     // questions without a prediction (scored 0, as the official script does)

  Json to_json() const { return {{"exact_match", exact_match}, {"f1", f1}}; }
};

// `predictions` maps question id to answer text.
SquadScores evaluate_squad(const std::vector<SquadExample>& examples,
                           const std::unordered_map<std::string, std::string>& predictions);

}  // namespace jpqd::data
