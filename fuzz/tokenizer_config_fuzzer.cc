// tokenizer_config.json / special_tokens_map.json / added_tokens.json beside a small valid vocab.txt,
// through BertTokenizer::from_directory. Byte 0 picks the file the rest of the input becomes.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "fuzz_support.h"
#include "text/bert_tokenizer.h"

namespace {

const char* const kFiles[] = {"tokenizer_config.json", "special_tokens_map.json", "added_tokens.json"};

const std::string& tokenizer_dir() {
  static const std::string dir = [] {
    const std::string vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nquick\n##ly\n,\n.\n";
    const std::string path = jpqd::fuzz::write_scratch("vocab.txt", vocab);
    return path.substr(0, path.size() - std::string("/vocab.txt").size());
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  jpqd::fuzz::ByteReader in(data, size);
  const std::string& dir = tokenizer_dir();
  const char* file = kFiles[in.byte() % 3];
  for (const char* f : kFiles) jpqd::fuzz::remove_scratch(f);
  jpqd::fuzz::write_scratch(file, in.rest());
  try {
    const auto tok = jpqd::text::BertTokenizer::from_directory(dir);
    JPQD_FUZZ_ASSERT(tok.options().model_max_length > 0 && tok.options().max_input_chars_per_word > 0);
    const auto enc = tok.encode("The quick, quickly.", std::nullopt, 8);
    JPQD_FUZZ_ASSERT(enc.input_ids.size() <= 8);
  } catch (const jpqd::Error&) {
  }
  return 0;
}
