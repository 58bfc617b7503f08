// Arbitrary bytes (UTF-8 or not) through BertTokenizer with the real bert-base-uncased and -cased
// vocabularies: single texts and pairs, every truncation strategy, padding, short max_length.
// Input layout: byte 0 flags, byte 1 max_length, byte 2 where the pair splits, then the text.
#include <cstdint>
#include <optional>
#include <string>

#include "common/error.h"
#include "fuzz_support.h"
#include "text/bert_tokenizer.h"

namespace {

using jpqd::text::BertTokenizer;
using jpqd::text::Padding;
using jpqd::text::Truncation;

const BertTokenizer& tokenizer(bool cased) {
  static const BertTokenizer uncased =
      BertTokenizer::from_directory(jpqd::fuzz::source_dir() + "/data/vocab/bert-base-uncased");
  static const BertTokenizer with_case =
      BertTokenizer::from_directory(jpqd::fuzz::source_dir() + "/data/vocab/bert-base-cased");
  return cased ? with_case : uncased;
}

void check_offsets(const BertTokenizer& tok, const std::string& text) {
  for (const auto& [token, offsets] : tok.tokenize_with_offsets(text)) {
    JPQD_FUZZ_ASSERT(tok.vocab().find(token).has_value());
    JPQD_FUZZ_ASSERT(0 <= offsets.first && offsets.first <= offsets.second &&
                     offsets.second <= static_cast<int64_t>(text.size()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  jpqd::fuzz::ByteReader in(data, size);
  const uint8_t flags = in.byte();
  const int64_t max_length = in.byte();  // 0 = no limit; small values exercise the truncation errors
  const uint8_t split = in.byte();
  const std::string bytes = in.rest();

  const bool cased = flags & 1;
  const bool pair = flags & 2;
  const Truncation truncation = static_cast<Truncation>((flags >> 2) & 3);
  const Padding padding = (flags & 16) ? Padding::kMaxLength : Padding::kNone;
  const BertTokenizer& tok = tokenizer(cased);

  std::string first = bytes;
  std::optional<std::string> second;
  if (pair) {
    const size_t cut = bytes.size() * split / 256;
    first = bytes.substr(0, cut);
    second = bytes.substr(cut);
  }
  check_offsets(tok, first);
  if (second) check_offsets(tok, *second);
  try {
    const auto enc = tok.encode(first, second, max_length, truncation, padding);
    const size_t n = enc.input_ids.size();
    JPQD_FUZZ_ASSERT(enc.token_type_ids.size() == n && enc.attention_mask.size() == n && enc.offsets.size() == n &&
                     enc.sequence_ids.size() == n);
    if (max_length > 0 && truncation != Truncation::kNone) JPQD_FUZZ_ASSERT(n <= static_cast<size_t>(max_length));
    if (padding == Padding::kMaxLength) JPQD_FUZZ_ASSERT(n >= static_cast<size_t>(max_length));
    for (size_t i = 0; i < n; ++i) {
      JPQD_FUZZ_ASSERT(0 <= enc.input_ids[i] && enc.input_ids[i] < tok.vocab().size());
      const int seq = enc.sequence_ids[i];
      JPQD_FUZZ_ASSERT(seq >= -1 && seq <= 1);
      const std::string& source = seq == 1 ? *second : first;
      JPQD_FUZZ_ASSERT(0 <= enc.offsets[i].first && enc.offsets[i].first <= enc.offsets[i].second &&
                       enc.offsets[i].second <= static_cast<int64_t>(source.size()));
    }
  } catch (const jpqd::Error&) {
  }
  return 0;
}
