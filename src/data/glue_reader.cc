#include "data/glue_reader.h"

#include <optional>

#include "common/error.h"
#include "common/file_io.h"
#include "data/label_space.h"
#include "data/tsv.h"

namespace jpqd::data {

namespace {

// Column names in the header of each task's GLUE TSVs (the test files lack the label column).
struct Layout {
  const char* text_a;
  const char* text_b;  // nullptr: single sentence
  const char* label;
};

Layout layout_of(const std::string& task) {
  if (task == "cola" || task == "sst2") return {"sentence", nullptr, "label"};
  if (task == "mrpc") return {"#1 String", "#2 String", "Quality"};
  if (task == "qqp") return {"question1", "question2", "is_duplicate"};
  if (task == "stsb") return {"sentence1", "sentence2", "score"};
  if (task == "mnli") return {"sentence1", "sentence2", "gold_label"};
  if (task == "qnli") return {"question", "sentence", "label"};
  return {"sentence1", "sentence2", "label"};  // rte, wnli
}

// CoLA's train and dev files have no header: source, label, original mark, sentence.
constexpr size_t kColaColumns = 4;
constexpr size_t kColaLabel = 1;
constexpr size_t kColaSentence = 3;

std::string join(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "\"" : ", \"") + f + "\"";
  return out;
}

std::optional<size_t> column(const std::vector<std::string>& header, const char* name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  return std::nullopt;
}

size_t require_column(const std::vector<std::string>& header, const char* name, const std::string& path,
                      const GlueTask& task) {
  auto index = column(header, name);
  JPQD_CHECK(index.has_value(), FormatError, path, ":1: not a GLUE ", task.name, " file: the header has no column \"",
             name, "\" (header: ", join(header), ")");
  return *index;
}

}  // namespace

std::vector<Example> read_glue_file(const GlueTask& task, const std::string& path, bool labeled) {
  JPQD_CHECK(file_exists(path), IoError, path, ": GLUE ", task.name, " file not found");
  const std::vector<TextRow> rows = read_tsv(path);
  JPQD_CHECK(!rows.empty(), FormatError, path, ": empty file, no ", task.name, " examples");

  const Layout layout = layout_of(task.name);
  const bool headerless = task.name == "cola" && labeled;
  size_t columns = kColaColumns, a = kColaSentence, label = kColaLabel;
  std::optional<size_t> b;
  size_t first = 0;
  if (!headerless) {
    const auto& header = rows.front().fields;
    columns = header.size();
    a = require_column(header, layout.text_a, path, task);
    if (layout.text_b != nullptr) b = require_column(header, layout.text_b, path, task);
    if (labeled) label = require_column(header, layout.label, path, task);
    first = 1;
  }
  const LabelSpace space = LabelSpace::of(task);

  std::vector<Example> examples;
  examples.reserve(rows.size());
  for (size_t r = first; r < rows.size(); ++r) {
    const TextRow& row = rows[r];
    JPQD_CHECK(row.fields.size() == columns, FormatError, path, ":", row.line, ": expected ", columns,
               " tab-separated columns, found ", row.fields.size());
    Example ex;
    ex.line = row.line;
    ex.text_a = row.fields[a];
    if (b) ex.text_b = row.fields[*b];
    if (labeled) {
      const std::string& value = row.fields[label];
      if (task.is_regression) {
        const auto score = parse_score(value);
        JPQD_CHECK(score.has_value(), FormatError, path, ":", row.line, ": score \"", value, "\" of task ", task.name,
                   " is not a number in float range");
        ex.score = *score;
      } else {
        JPQD_CHECK(space.find(value).has_value(), FormatError, path, ":", row.line, ": label \"", value,
                   "\" is not a label of task ", task.name, " (labels: ", space.describe(), ")");
        ex.label = value;
      }
    }
    examples.push_back(std::move(ex));
  }
  JPQD_CHECK(!examples.empty(), FormatError, path, ": no ", task.name, " examples (empty dataset)");
  return examples;
}

std::vector<Example> read_glue_split(const GlueTask& task, const std::string& task_dir, const std::string& split) {
  std::string known = "train";
  auto path_of = [&](const std::string& file) { return task_dir + "/" + file; };
  if (split == "train") return read_glue_file(task, path_of("train.tsv"), true);
  for (const auto& s : task.eval_splits) {
    if (s.name == split) return read_glue_file(task, path_of(s.file), true);
    known += ", " + s.name;
  }
  for (const auto& s : task.test_splits) {
    if (s.name == split) return read_glue_file(task, path_of(s.file), false);
    known += ", " + s.name;
  }
  throw InvalidArgument(str_cat("unknown split \"", split, "\" of GLUE task ", task.name, " (splits: ", known, ")"));
}

}  // namespace jpqd::data
