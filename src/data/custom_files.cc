#include "data/custom_files.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.h"
#include "common/file_io.h"
#include "data/csv.h"
#include "data/tsv.h"

namespace jpqd::data {

namespace {

using OrderedJson = nlohmann::ordered_json;

enum class Format { kCsv, kTsv, kJson };
enum class CellKind { kText, kInteger, kFloat };

struct Cell {
  CellKind kind = CellKind::kText;
  std::string text;
};

struct Record {
  int64_t line = 0;
  std::map<std::string, Cell> cells;
};

struct Table {
  std::string path;
  std::string unit = "line";  // "record" for a JSON array file
  std::vector<std::string> columns;
  std::vector<Record> records;
};

std::string extension_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  return path.substr(dot + 1);
}

Format format_of(const std::string& path, const std::string& flag) {
  const std::string ext = extension_of(path);
  if (ext == "csv") return Format::kCsv;
  if (ext == "tsv") return Format::kTsv;
  if (ext == "json" || ext == "jsonl") return Format::kJson;
  throw InvalidArgument(str_cat(flag, " ", path, ": should be a csv, tsv, json or jsonl file (extension \"", ext, "\")"));
}

Table read_delimited(const std::string& path, Format format) {
  Table table;
  table.path = path;
  std::vector<TextRow> rows = format == Format::kCsv ? read_csv(path) : read_tsv(path);
  if (format == Format::kTsv)  // blank lines are no records, as in the csv reader
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [](const TextRow& r) { return r.fields.size() == 1 && r.fields[0].empty(); }),
               rows.end());
  JPQD_CHECK(!rows.empty(), FormatError, path, ": empty file (no header, no examples)");
  table.columns = rows.front().fields;
  std::set<std::string> unique(table.columns.begin(), table.columns.end());
  JPQD_CHECK(unique.size() == table.columns.size(), FormatError, path, ":", rows.front().line,
             ": duplicate column name in the header");
  for (size_t r = 1; r < rows.size(); ++r) {
    JPQD_CHECK(rows[r].fields.size() == table.columns.size(), FormatError, path, ":", rows[r].line, ": expected ",
               table.columns.size(), " columns (as the header), found ", rows[r].fields.size());
    Record record;
    record.line = rows[r].line;
    for (size_t c = 0; c < table.columns.size(); ++c) record.cells[table.columns[c]] = {CellKind::kText, rows[r].fields[c]};
    table.records.push_back(std::move(record));
  }
  return table;
}

Record json_record(const OrderedJson& object, int64_t line, Table& table) {
  JPQD_CHECK(object.is_object(), FormatError, table.path, ":", line, ": expected a JSON object, got ", object.type_name());
  Record record;
  record.line = line;
  for (const auto& item : object.items()) {
    const OrderedJson& v = item.value();
    Cell cell;
    if (v.is_string()) {
      cell = {CellKind::kText, v.get<std::string>()};
    } else if (v.is_number_integer()) {
      cell = {CellKind::kInteger, v.dump()};
    } else if (v.is_number_float()) {
      cell = {CellKind::kFloat, v.dump()};
    } else {
      throw FormatError(str_cat(table.path, ":", line, ": value of \"", item.key(), "\" must be a string or a number, got ",
                                v.dump()));
    }
    record.cells[item.key()] = std::move(cell);
    if (table.records.empty() && std::find(table.columns.begin(), table.columns.end(), item.key()) == table.columns.end())
      table.columns.push_back(item.key());
  }
  return record;
}

OrderedJson parse_flat_json(const std::string& text, const std::string& where, int max_depth) {
  bool too_deep = false;
  OrderedJson::parser_callback_t guard = [&](int depth, OrderedJson::parse_event_t event, OrderedJson&) {
    if ((event == OrderedJson::parse_event_t::object_start || event == OrderedJson::parse_event_t::array_start) &&
        depth > max_depth)
      too_deep = true;
    return !too_deep;
  };
  OrderedJson value;
  try {
    value = OrderedJson::parse(text, guard);
  } catch (const OrderedJson::parse_error& e) {
    throw FormatError(str_cat(where, ": invalid JSON at byte ", e.byte, ": ", e.what()));
  } catch (const OrderedJson::out_of_range& e) {
    // A number beyond double's range (1e400) is reported by the parser as out_of_range, not parse_error.
    throw FormatError(str_cat(where, ": invalid JSON: ", e.what()));
  }
  JPQD_CHECK(!too_deep, FormatError, where, ": nested objects or arrays are not supported (one flat object per example)");
  return value;
}

Table read_json_records(const std::string& path) {
  Table table;
  table.path = path;
  const std::string text = read_text_file(path);
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && text[first] == '[') {
    table.unit = "record";
    const OrderedJson array = parse_flat_json(text, path, 1);
    int64_t index = 0;
    for (const auto& object : array) table.records.push_back(json_record(object, ++index, table));
    return table;
  }
  int64_t line_number = 0;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    ++line_number;
    begin = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const OrderedJson object = parse_flat_json(line, str_cat(path, ":", line_number), 0);
    table.records.push_back(json_record(object, line_number, table));
  }
  return table;
}

Table read_table(const std::string& path, Format format) {
  JPQD_CHECK(file_exists(path), IoError, path, ": data file not found");
  Table table = format == Format::kJson ? read_json_records(path) : read_delimited(path, format);
  JPQD_CHECK(!table.records.empty(), FormatError, path, ": no examples (empty dataset)");
  return table;
}

const Cell& cell_of(const Table& table, const Record& record, const std::string& key) {
  auto it = record.cells.find(key);
  JPQD_CHECK(it != record.cells.end(), FormatError, table.path, ":", record.line, ": missing key \"", key, "\"");
  return it->second;
}

// run_glue: sorted unique train labels for classification, float labels make a regression task.
LabelSpace infer_label_space(const Table& table) {
  JPQD_CHECK(std::find(table.columns.begin(), table.columns.end(), "label") != table.columns.end(), FormatError,
             table.path, ": no \"label\" column (columns: ", table.columns.size(), ")");
  bool all_integer = true, all_number = true, any_json_float = false, any_json_text = false, any_json_number = false;
  for (const auto& record : table.records) {
    const Cell& cell = cell_of(table, record, "label");
    if (cell.kind == CellKind::kFloat) any_json_float = true;
    if (cell.kind != CellKind::kText) any_json_number = true;
    if (cell.kind == CellKind::kText) {
      JPQD_CHECK(!cell.text.empty(), FormatError, table.path, ":", record.line, ": empty label");
      if (!parse_integer(cell.text)) all_integer = false;
      if (!parse_number(cell.text)) all_number = false;
      if (extension_of(table.path) == "json" || extension_of(table.path) == "jsonl") any_json_text = true;
    }
  }
  JPQD_CHECK(!(any_json_text && any_json_number), FormatError, table.path,
             ": labels mix strings and numbers; use one type for every label");
  LabelSpace space;
  if (any_json_float || (!any_json_text && !any_json_number && !all_integer && all_number)) {
    space.is_regression = true;
    return space;
  }
  if (!any_json_text && all_integer) {
    std::set<int64_t> values;
    for (const auto& record : table.records) values.insert(*parse_integer(cell_of(table, record, "label").text));
    for (int64_t v : values) space.labels.push_back(std::to_string(v));
    return space;
  }
  std::set<std::string> values;  // byte order of UTF-8 = code point order, as Python sorts str
  for (const auto& record : table.records) values.insert(cell_of(table, record, "label").text);
  space.labels.assign(values.begin(), values.end());
  return space;
}

std::vector<Example> to_examples(const Table& table, const CustomDataset& meta, bool require_label) {
  const bool has_label = std::find(table.columns.begin(), table.columns.end(), "label") != table.columns.end();
  JPQD_CHECK(has_label || !require_label, FormatError, table.path, ": no \"label\" column");
  const LabelSpace& space = meta.label_space;
  const bool integer_classes = std::all_of(space.labels.begin(), space.labels.end(),
                                           [](const std::string& l) { return parse_integer(l).has_value(); });
  std::vector<Example> out;
  out.reserve(table.records.size());
  for (const auto& record : table.records) {
    Example ex;
    ex.line = record.line;
    ex.text_a = cell_of(table, record, meta.sentence1_key).text;
    if (meta.sentence2_key) ex.text_b = cell_of(table, record, *meta.sentence2_key).text;
    if (has_label) {
      const Cell& cell = cell_of(table, record, "label");
      if (space.is_regression) {
        const auto value = parse_score(cell.text);
        JPQD_CHECK(value.has_value(), FormatError, table.path, ":", record.line, ": label \"", cell.text,
                   "\" is not a number in float range (the train file makes this a regression task)");
        ex.score = *value;
      } else {
        std::string label = cell.text;
        if (cell.kind == CellKind::kFloat) label.clear();  // a float is never a class label
        if (integer_classes)
          if (auto i = parse_integer(label)) label = std::to_string(*i);
        JPQD_CHECK(space.find(label).has_value(), FormatError, table.path, ":", record.line, ": label \"", cell.text,
                   "\" is not in the label set of the train file (labels: ", space.describe(), ")");
        ex.label = label;
      }
    }
    out.push_back(std::move(ex));
  }
  return out;
}

}  // namespace

CustomDataset load_custom_files(const CustomDataFiles& files) {
  JPQD_CHECK(!files.train_file.empty() || !files.validation_file.empty(), InvalidArgument,
             "need a --train_file or a --validation_file (or a --task_name)");
  const bool has_train = !files.train_file.empty();
  const std::string& reference_path = has_train ? files.train_file : files.validation_file;
  const std::string reference_flag = has_train ? "--train_file" : "--validation_file";
  const Format format = format_of(reference_path, reference_flag);
  auto check_same = [&](const std::string& path, const std::string& flag) {
    if (path.empty()) return;
    JPQD_CHECK(format_of(path, flag) == format, InvalidArgument, flag, " ", path, ": should have the same type as ",
               reference_flag, " ", reference_path);
  };
  check_same(files.validation_file, "--validation_file");
  check_same(files.test_file, "--test_file");

  const Table reference = read_table(reference_path, format);
  CustomDataset data;
  std::vector<std::string> text_columns;
  for (const auto& c : reference.columns)
    if (c != "label") text_columns.push_back(c);
  const bool pair = std::find(text_columns.begin(), text_columns.end(), "sentence1") != text_columns.end() &&
                    std::find(text_columns.begin(), text_columns.end(), "sentence2") != text_columns.end();
  JPQD_CHECK(!text_columns.empty(), FormatError, reference_path, ": no text column besides \"label\"");
  if (pair) {
    data.sentence1_key = "sentence1";
    data.sentence2_key = "sentence2";
  } else {
    data.sentence1_key = text_columns[0];
    if (text_columns.size() >= 2) data.sentence2_key = text_columns[1];
  }
  data.label_space = infer_label_space(reference);

  if (has_train) data.train = to_examples(reference, data, true);
  if (!files.validation_file.empty())
    data.validation = has_train ? to_examples(read_table(files.validation_file, format), data, true)
                                : to_examples(reference, data, true);
  if (!files.test_file.empty()) data.test = to_examples(read_table(files.test_file, format), data, false);
  return data;
}

}  // namespace jpqd::data
