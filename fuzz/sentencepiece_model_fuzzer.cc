// A SentencePiece model (sentencepiece.bpe.model, protobuf wire format): parse_sentencepiece_model,
// then xlm_roberta_pipeline_from_model (Unigram over the pieces, the Precompiled charsmap from the
// normalizer spec), then encoding (pipeline_encode.h). The input is the whole file.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "fuzz_support.h"
#include "pipeline_encode.h"
#include "text/pipeline/sentencepiece_model.h"
#include "text/pipeline/tokenizer_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto model = jpqd::text::pipeline::parse_sentencepiece_model(bytes, "fuzz input");
    JPQD_FUZZ_ASSERT(!model.pieces.empty());
  } catch (const jpqd::Error&) {
    return 0;  // the file reader below parses the same bytes and would refuse them the same way
  }
  const std::string path = jpqd::fuzz::write_scratch("sentencepiece.bpe.model", bytes);
  try {
    auto pipeline = jpqd::text::pipeline::xlm_roberta_pipeline_from_model(path);
    JPQD_FUZZ_ASSERT(pipeline.token_to_id("<mask>").has_value());
    jpqd::fuzz::encode_samples(pipeline);
  } catch (const jpqd::Error&) {
  }
  return 0;
}
