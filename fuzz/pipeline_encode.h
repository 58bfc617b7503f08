// Encoding with a tokenizer pipeline the fuzzer just loaded (tokenizer_json, bpe_files,
// sentencepiece_model targets): a loader that accepts a file promises a pipeline that encodes any text,
// so every accepted input is also run on fixed texts chosen to reach the normalizers, pre-tokenizers,
// added-token matching and model fallbacks, under each truncation strategy and padding mode.
// An encode may still refuse with a jpqd::Error (a WordLevel without unk_token, only_second on a single
// text); anything else escapes. What an accepted encoding promises is checked with JPQD_FUZZ_ASSERT.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "fuzz_support.h"
#include "text/pipeline/tokenizer_pipeline.h"

namespace jpqd::fuzz {

using text::pipeline::Direction;
using text::pipeline::EncodedText;
using text::pipeline::PaddingParams;
using text::pipeline::TokenizerPipeline;
using text::pipeline::TruncationParams;
using text::pipeline::TruncationStrategy;

// Short, but each reaches something: punctuation and contractions (GPT-2 split), NFKC/accents and
// runs of spaces (Replace " {2,}", Strip), CJK, grapheme clusters and emoji (Precompiled, byte
// fallback), the special tokens of BERT/RoBERTa/XLM-R and the wordlevel seed's added tokens, invalid
// UTF-8, and nothing at all.
inline const std::vector<std::string>& sample_texts() {
  static const std::vector<std::string> texts = {
      "Hello, world! It's 2024: don't we'll they've I'd.",
      "  caf\xC3\xA9  na\xC3\xAFve \xEF\xAC\x81 \xE3\x80\x80\xEF\xBC\xA1\xEF\xBC\xA2  e\xCC\x81 \xE2\x84\xAB  ",
      "\xE4\xB8\xAD\xE6\x96\x87 \xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4 \xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD x\xE2\x80\x8D\xE2\x80\x8Dy",
      "<s> [CLS] <mask> x [MASK] </s> [SEP]<unk>[PAD] <pad> New York ice cream<ent> \xE2\x96\x81tab\tnew\nline",
      "bad \xFF\xFE utf8 \xC0\xAF \xED\xA0\x80 \xE2\x82",
      "",
  };
  return texts;
}

inline void check_encoding(const EncodedText& e, const std::string& text, const std::optional<std::string>& pair) {
  const size_t n = e.ids.size();
  JPQD_FUZZ_ASSERT(e.type_ids.size() == n && e.tokens.size() == n && e.offsets.size() == n &&
                   e.special_tokens_mask.size() == n && e.attention_mask.size() == n && e.sequence_ids.size() == n);
  for (size_t i = 0; i < n; ++i) {
    const int seq = e.sequence_ids[i];
    JPQD_FUZZ_ASSERT(seq >= -1 && seq <= 1 && (seq != 1 || pair.has_value()));
    JPQD_FUZZ_ASSERT(e.attention_mask[i] == 0 || e.attention_mask[i] == 1);
    if (seq < 0) continue;
    const int64_t length = static_cast<int64_t>(seq == 1 ? pair->size() : text.size());
    JPQD_FUZZ_ASSERT(0 <= e.offsets[i].first && e.offsets[i].first <= e.offsets[i].second &&
                     e.offsets[i].second <= length);
  }
}

inline size_t unpadded_length(const EncodedText& e) {
  size_t n = 0;
  for (const int64_t a : e.attention_mask) n += a == 1;
  return n;
}

// Sample texts alone (all of them, or when not `all_texts` the two that reach the most), then two
// pairs, as `pipeline` is set; then those texts and a pair as one batch.
inline void encode_texts(const TokenizerPipeline& pipeline, bool all_texts) {
  const std::vector<std::string>& texts = sample_texts();
  const auto& truncation = pipeline.truncation();
  const auto& padding = pipeline.padding();
  const bool plain = pipeline.parts().post_processor == nullptr;
  const auto one = [&](const std::string& text, const std::optional<std::string>& pair) {
    try {
      const EncodedText e = pipeline.encode(text, pair);
      check_encoding(e, text, pair);
      // Without a post-processor nothing is added after truncation, so max_length is a hard limit.
      if (truncation && plain) JPQD_FUZZ_ASSERT(unpadded_length(e) <= truncation->max_length);
      if (padding && !padding->to_longest) JPQD_FUZZ_ASSERT(e.size() >= padding->length);
      // Looked back up only for the sanitizers: any id or token may be asked about.
      for (const int64_t id : e.ids) pipeline.parts().model->id_to_token(id);
      for (const std::string& token : e.tokens) pipeline.token_to_id(token);
    } catch (const jpqd::Error&) {
    }
  };
  const std::vector<std::string> singles = all_texts ? texts : std::vector<std::string>{texts[1], texts[3]};
  for (const std::string& text : singles) one(text, std::nullopt);
  one(texts[0], texts[1]);
  one(texts[3], texts[2]);
  try {
    std::vector<std::pair<std::string, std::optional<std::string>>> batch;
    for (const std::string& text : singles) batch.emplace_back(text, std::nullopt);
    batch.emplace_back(texts[0], texts[3]);
    const std::vector<EncodedText> encoded = pipeline.encode_batch(batch);
    JPQD_FUZZ_ASSERT(encoded.size() == batch.size());
    for (size_t k = 0; k < encoded.size(); ++k) {
      check_encoding(encoded[k], batch[k].first, batch[k].second);
      // Fixed padding never shortens, so only padding to the longest makes one length.
      if (padding && padding->to_longest) JPQD_FUZZ_ASSERT(encoded[k].size() == encoded[0].size());
      if (padding && !padding->to_longest) JPQD_FUZZ_ASSERT(encoded[k].size() >= padding->length);
    }
  } catch (const jpqd::Error&) {
  }
}

// The pipeline as loaded (a tokenizer.json may set its own truncation and padding); then untruncated
// with fixed padding, so every token of every text is reached; then each truncation strategy, with
// both padding modes and directions; then a max_length too short for the special tokens. Restores the
// loaded settings.
inline void encode_samples(TokenizerPipeline& pipeline) {
  const auto loaded_truncation = pipeline.truncation();
  const auto loaded_padding = pipeline.padding();
  encode_texts(pipeline, true);

  PaddingParams fixed;
  fixed.to_longest = false;
  fixed.length = 16;
  fixed.pad_id = 1;
  fixed.pad_token = "<pad>";
  PaddingParams longest_left;
  longest_left.pad_to_multiple_of = 8;
  longest_left.direction = Direction::kLeft;
  const auto run = [&](std::optional<TruncationParams> truncation, std::optional<PaddingParams> padding, bool all) {
    pipeline.set_truncation(truncation);
    pipeline.set_padding(padding);
    encode_texts(pipeline, all);
  };
  run(std::nullopt, fixed, true);
  run(TruncationParams{8, TruncationStrategy::kLongestFirst, Direction::kRight}, longest_left, false);
  run(TruncationParams{10, TruncationStrategy::kOnlyFirst, Direction::kLeft}, std::nullopt, false);
  run(TruncationParams{7, TruncationStrategy::kOnlySecond, Direction::kRight}, fixed, false);
  run(TruncationParams{1, TruncationStrategy::kLongestFirst, Direction::kLeft}, std::nullopt, false);

  pipeline.set_truncation(loaded_truncation);
  pipeline.set_padding(loaded_padding);
}

}  // namespace jpqd::fuzz
