#include "data/csv.h"

#include "common/error.h"
#include "common/file_io.h"

namespace jpqd::data {

std::vector<TextRow> parse_csv(std::string_view text, const std::string& what) {
  text = strip_bom(text);
  std::vector<TextRow> rows;
  int64_t line = 1;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    TextRow row;
    row.line = line;
    // A blank line (only a line end) is no record.
    if (text[i] == '\n' || (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')) {
      i += text[i] == '\r' ? 2 : 1;
      ++line;
      continue;
    }
    std::string field;
    bool record_done = false;
    while (!record_done) {
      field.clear();
      if (i < n && text[i] == '"') {
        const int64_t quote_line = line;
        ++i;
        while (true) {
          JPQD_CHECK(i < n, FormatError, what, ":", quote_line, ": unterminated quoted field");
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        const bool at_separator = i >= n || text[i] == ',' || text[i] == '\n' ||
                                  (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n');
        JPQD_CHECK(at_separator, FormatError, what, ":", line, ": text after the closing quote of a field");
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')) {
          field += text[i];
          ++i;
        }
      }
      row.fields.push_back(field);
      if (i >= n) {
        record_done = true;
      } else if (text[i] == ',') {
        ++i;
        if (i >= n) row.fields.emplace_back();  // trailing comma at end of file: one more empty field
        record_done = i >= n;
      } else {
        i += text[i] == '\r' ? 2 : 1;
        ++line;
        record_done = true;
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<TextRow> read_csv(const std::string& path) { return parse_csv(read_text_file(path), path); }

}  // namespace jpqd::data
