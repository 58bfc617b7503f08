// run_glue.py's --train_file / --validation_file / --test_file: csv (RFC 4180 quoting, as pandas reads
// it), tsv (tabs only, no quoting, like the GLUE files) or JSON lines (.json/.jsonl; a .json file
// holding one array of objects works too). The first row of csv/tsv is the header.
//
// Columns as run_glue picks them: "sentence1" and "sentence2" when both exist, otherwise the first
// two columns that are not "label", or the only one. Labels as run_glue reads them from the train
// file: integers or strings are classes (sorted unique values = label ids), floats make a regression
// task. The other files must have the same format as the train file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "data/example.h"
#include "data/label_space.h"

namespace jpqd::data {

struct CustomDataFiles {
  std::string train_file;       // empty: not given
  std::string validation_file;  // empty: not given
  std::string test_file;        // empty: not given; may lack the label column
};

struct CustomDataset {
  std::string sentence1_key;
  std::optional<std::string> sentence2_key;
  // From the train file (the validation file when no train file is given).
  LabelSpace label_space;
  std::vector<Example> train, validation, test;  // empty when the file was not given
};

// Errors name the file and line: missing file, unsupported or mismatched extension, wrong column
// count, missing key or label column, a label outside the train file's label set, a non-number
// regression target, an empty dataset.
CustomDataset load_custom_files(const CustomDataFiles& files);

}  // namespace jpqd::data
