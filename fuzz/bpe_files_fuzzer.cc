// A RoBERTa-style directory without tokenizer.json: vocab.json + merges.txt (+ tokenizer_config.json)
// through load_tokenizer, which builds byte-level BPE from them; then encoding (pipeline_encode.h).
// Input: vocab.json, a NUL byte, merges.txt, and optionally a second NUL and tokenizer_config.json.
// JSON cannot hold a raw NUL, so the first one always ends vocab.json; merges.txt may hold more only
// when no config follows.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "fuzz_support.h"
#include "pipeline_encode.h"
#include "text/pipeline/tokenizer_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t vocab_end = input.find('\0');
  if (vocab_end == std::string::npos) return 0;
  const size_t merges_end = input.find('\0', vocab_end + 1);
  jpqd::fuzz::write_scratch("vocab.json", input.substr(0, vocab_end));
  const size_t merges_length = merges_end == std::string::npos ? std::string::npos : merges_end - vocab_end - 1;
  jpqd::fuzz::write_scratch("merges.txt", input.substr(vocab_end + 1, merges_length));
  if (merges_end == std::string::npos) {
    jpqd::fuzz::remove_scratch("tokenizer_config.json");
  } else {
    jpqd::fuzz::write_scratch("tokenizer_config.json", input.substr(merges_end + 1));
  }
  try {
    auto loaded = jpqd::text::pipeline::load_tokenizer(jpqd::fuzz::scratch_dir());
    JPQD_FUZZ_ASSERT(loaded.source == jpqd::fuzz::scratch_dir() + "/vocab.json");
    JPQD_FUZZ_ASSERT(!loaded.config.model_max_length || *loaded.config.model_max_length > 0);
    jpqd::fuzz::encode_samples(loaded.pipeline);
  } catch (const jpqd::Error&) {
  }
  return 0;
}
