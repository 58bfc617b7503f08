// tokenizer.json through tokenizer_from_json_file (normalizers, pre-tokenizers, models, post-processors,
// added tokens, truncation and padding), then, when accepted, encoding sample texts and pairs with it
// (pipeline_encode.h). The input is the whole file.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "fuzz_support.h"
#include "pipeline_encode.h"
#include "text/pipeline/tokenizer_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = jpqd::fuzz::write_scratch("tokenizer.json", data, size);
  try {
    auto pipeline = jpqd::text::pipeline::tokenizer_from_json_file(path);
    jpqd::fuzz::encode_samples(pipeline);
  } catch (const jpqd::Error&) {
  }
  return 0;
}
