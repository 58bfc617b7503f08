// vocab.txt as a user's checkpoint directory ships it: Vocab::from_file on arbitrary bytes, and when it
// loads, a tokenizer built on it must still tokenize text into ids of that vocabulary.
#include <cstdint>
#include <string>

#include "common/error.h"
#include "fuzz_support.h"
#include "text/bert_tokenizer.h"
#include "text/vocab.h"

namespace {

// Covers special tokens, punctuation, accents, CJK, a long word and invalid UTF-8.
const char kProbeText[] =
    "[CLS] Hello, World! unaffable ##ing caf\xC3\xA9 \xE4\xBD\xA0\xE5\xA5\xBD [MASK] \xFF\xFE "
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa [SEP]";

void probe(const jpqd::text::Vocab& vocab) {
  JPQD_FUZZ_ASSERT(vocab.size() > 0);
  for (int64_t id = 0; id < vocab.size(); ++id) JPQD_FUZZ_ASSERT(*vocab.find(vocab.token(id)) == id);
  JPQD_FUZZ_ASSERT(vocab.token(vocab.unk_id()) == "[UNK]");
  jpqd::text::BertTokenizer tokenizer(vocab, jpqd::text::TokenizerOptions{});
  const std::string text = kProbeText;
  for (const auto& [token, offsets] : tokenizer.tokenize_with_offsets(text)) {
    JPQD_FUZZ_ASSERT(vocab.find(token).has_value());
    JPQD_FUZZ_ASSERT(0 <= offsets.first && offsets.first <= offsets.second &&
                     offsets.second <= static_cast<int64_t>(text.size()));
  }
  try {
    const auto enc = tokenizer.encode(text, std::string("second"), 16);
    for (int64_t id : enc.input_ids) JPQD_FUZZ_ASSERT(0 <= id && id < vocab.size());
  } catch (const jpqd::Error&) {
    // A vocabulary without [CLS]/[SEP] cannot encode: rejected, fine.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = jpqd::fuzz::write_scratch("vocab.txt", data, size);
  try {
    probe(jpqd::text::Vocab::from_file(path));
  } catch (const jpqd::Error&) {
  }
  return 0;
}
