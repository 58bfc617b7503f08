// What encoding one text or pair gives every caller (data featurisation, the runtime's text API),
// whichever tokenizer produced it, and the truncation and padding choices as Hugging Face names them.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace jpqd::text {

// Truncation as HF names it: longest_first removes one token at a time from the longer text (from the
// second on a tie); only_first / only_second cut that text alone.
enum class Truncation { kNone, kLongestFirst, kOnlyFirst, kOnlySecond };
// kMaxLength pads with the pad token (token type 0, attention 0) up to max_length; kNone leaves the
// encoding as long as it is (pad batches dynamically in collation).
enum class Padding { kNone, kMaxLength };

// One encoded example. Offsets are [begin, end) BYTE offsets into the original UTF-8 text the token
// came from, also after lower-casing and accent stripping ("##ing" of "Running" covers "ing"; "cafe"
// from "Café" covers all 5 bytes); (0, 0) for special and padding tokens. sequence_ids is 0 or 1 for
// tokens of the first or second text and -1 for special and padding tokens (as HF fast tokenizers'
// sequence_ids()).
struct Encoding {
  std::vector<int64_t> input_ids;
  std::vector<int64_t> token_type_ids;
  std::vector<int64_t> attention_mask;
  std::vector<std::pair<int64_t, int64_t>> offsets;
  std::vector<int> sequence_ids;
};

}  // namespace jpqd::text
