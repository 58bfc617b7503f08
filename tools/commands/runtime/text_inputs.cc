#include "commands/runtime/text_inputs.h"

#include <fstream>

#include "common/error.h"
#include "common/json_util.h"

namespace jpqd::cli {

std::vector<TextInput> read_text_inputs(const std::string& path) {
  std::ifstream in(path);
  JPQD_CHECK(in.good(), IoError, path, ": cannot open the input file");
  std::vector<TextInput> inputs;
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    const std::string where = str_cat(path, ":", line_number);
    const Json record = parse_json(line, where);
    JPQD_CHECK(record.is_object() && record.contains("text") && record["text"].is_string(), InvalidArgument, where,
               ": expected an object with a string \"text\"");
    std::optional<std::string> pair;
    if (record.contains("text_pair") && !record["text_pair"].is_null()) pair = get_string(record, "text_pair", where);
    inputs.emplace_back(record["text"].get<std::string>(), std::move(pair));
  }
  return inputs;
}

}  // namespace jpqd::cli
