// Comma-separated files with RFC 4180 quoting, as pandas/HF datasets read run_glue's --train_file:
// fields may be quoted with '"', a quote inside a quoted field is doubled, and quoted fields may hold
// commas and line breaks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "data/tsv.h"

namespace jpqd::data {

// Reads `path` (IoError when missing; FormatError naming the file and line for an unterminated
// quote or text after a closing quote). Drops a leading BOM; accepts "\r\n" line ends. Blank
// lines are skipped, as pandas does.
std::vector<TextRow> read_csv(const std::string& path);
std::vector<TextRow> parse_csv(std::string_view text, const std::string& what);

}  // namespace jpqd::data
