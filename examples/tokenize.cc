// jpqd's tokenizer on its own, through the public API: encodes each line of standard input (a text, or a
// text and its pair separated by a tab) with the tokenizer of a model.jpqd or of a checkpoint directory, and
// prints one JSON line per input with input_ids, token_type_ids, attention_mask, tokens and offsets, as
// `jpqd tokenize` prints them (tests/integration/runtime/install_consumer.sh compares the two).
//
//   jpqd_example_tokenize MODEL.jpqd|TOKENIZER_DIR [MAX_LENGTH] < texts.txt
#include <jpqd/tokenizer.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}

template <typename T, typename Print>
void print_list(const char* key, const std::vector<T>& values, Print print, bool last = false) {
  std::printf("\"%s\": [", key);
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) std::printf(", ");
    print(values[i]);
  }
  std::printf("]%s", last ? "" : ", ");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.jpqd|TOKENIZER_DIR [MAX_LENGTH] < texts\n", argv[0]);
    return 2;
  }
  try {
    const std::string source = argv[1];
    const jpqd::Tokenizer tokenizer = std::filesystem::is_directory(source) ? jpqd::Tokenizer::from_directory(source)
                                                                            : jpqd::Tokenizer::from_model(source);
    jpqd::EncodeOptions options;
    if (argc > 2) {
      size_t used = 0;
      options.max_length = std::stoll(argv[2], &used);
      if (used != std::strlen(argv[2])) throw jpqd::InvalidArgument(std::string("MAX_LENGTH: not a number: ") + argv[2]);
    }
    std::string line;
    while (std::getline(std::cin, line)) {
      const size_t tab = line.find('\t');
      const jpqd::Encoding e =
          tab == std::string::npos ? tokenizer.encode(line, std::nullopt, options)
                                   : tokenizer.encode(line.substr(0, tab), line.substr(tab + 1), options);
      const auto number = [](int64_t v) { std::printf("%lld", static_cast<long long>(v)); };
      std::printf("{");
      print_list("input_ids", e.ids, number);
      print_list("token_type_ids", e.type_ids, number);
      print_list("attention_mask", e.attention_mask, number);
      print_list("tokens", e.tokens, [](const std::string& t) { std::printf("%s", json_string(t).c_str()); });
      print_list("offsets", e.offsets, [](const std::pair<int64_t, int64_t>& o) {
        std::printf("[%lld, %lld]", static_cast<long long>(o.first), static_cast<long long>(o.second));
      }, true);
      std::printf("}\n");
    }
  } catch (const jpqd::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  } catch (const std::logic_error& e) {  // std::stoll's
    std::fprintf(stderr, "error: MAX_LENGTH: %s\n", e.what());
    return 2;
  }
  return 0;
}
