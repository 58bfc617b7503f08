#include "data/tsv.h"

#include "common/file_io.h"

namespace jpqd::data {

std::string_view strip_bom(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  return text;
}

std::vector<std::string> split_tabs(std::string_view line) {
  std::vector<std::string> fields;
  size_t begin = 0;
  while (true) {
    const size_t tab = line.find('\t', begin);
    if (tab == std::string_view::npos) {
      fields.emplace_back(line.substr(begin));
      return fields;
    }
    fields.emplace_back(line.substr(begin, tab - begin));
    begin = tab + 1;
  }
}

std::vector<TextRow> parse_tsv(std::string_view text) {
  text = strip_bom(text);
  std::vector<TextRow> rows;
  int64_t line_number = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    rows.push_back({++line_number, split_tabs(line)});
    begin = end + 1;
  }
  return rows;
}

std::vector<TextRow> read_tsv(const std::string& path) { return parse_tsv(read_text_file(path)); }

}  // namespace jpqd::data
