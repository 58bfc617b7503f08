// Text inputs for the commands that read them (tokenize, benchmark -i): JSON lines with "text" and an
// optional "text_pair", as `jpqd tokenize` and the tokenizers library name them.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jpqd::cli {

using TextInput = std::pair<std::string, std::optional<std::string>>;

// Every non-empty line; InvalidArgument naming the file and line for one that is not such an object,
// IoError when the file cannot be read.
std::vector<TextInput> read_text_inputs(const std::string& path);

}  // namespace jpqd::cli
