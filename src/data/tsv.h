// Tab-separated text files as GLUE ships them: fields split on '\t' only, no quote handling (GLUE's
// own reader uses csv.reader with quotechar=None, and sentences contain '"').
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jpqd::data {

struct TextRow {
  int64_t line = 0;  // 1-based line number in the file (where the record starts, for CSV)
  std::vector<std::string> fields;
};

// Reads `path` (IoError when missing), drops a leading UTF-8 BOM and a '\r' before each '\n', and
// splits every line on tabs. A last line without '\n' is a row; blank lines are kept as a row with
// one empty field so callers decide whether they are an error.
std::vector<TextRow> read_tsv(const std::string& path);

// Same, from text already in memory.
std::vector<TextRow> parse_tsv(std::string_view text);

std::vector<std::string> split_tabs(std::string_view line);

// Strips a leading UTF-8 byte order mark.
std::string_view strip_bom(std::string_view text);

}  // namespace jpqd::data
