// One text example before tokenization, from a GLUE TSV or a --train_file/--validation_file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace jpqd::data {

struct Example {
  std::string text_a;
  std::optional<std::string> text_b;
  std::optional<std::string> label;  // classification: the label as the file writes it
  std::optional<float> score;        // regression (stsb): the float target
  int64_t line = 0;                  // 1-based line of the source file, for messages

  bool has_target() const { return label.has_value() || score.has_value(); }
};

}  // namespace jpqd::data
