// The set of targets of a dataset: an ordered label list (index = label id) or a regression target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/glue_tasks.h"

namespace jpqd::data {

struct LabelSpace {
  bool is_regression = false;
  std::vector<std::string> labels;  // classification labels in id order

  static LabelSpace of(const GlueTask& task);
  int64_t num_labels() const { return is_regression ? 1 : static_cast<int64_t>(labels.size()); }
  std::optional<int64_t> find(const std::string& label) const;
  std::string describe() const;  // "0, 1" or "regression", for messages
};

// Parses a finite decimal number the way Python's float() reads a score (surrounding spaces
// allowed); nullopt for anything else, including nan and inf.
std::optional<double> parse_number(std::string_view text);
// A regression score: parse_number, and finite once stored as the float the examples hold (1e300
// is a number but would train on inf).
std::optional<float> parse_score(std::string_view text);
// An integer written in decimal ("7", "-1", " 3 "); nullopt otherwise.
std::optional<int64_t> parse_integer(std::string_view text);

}  // namespace jpqd::data
