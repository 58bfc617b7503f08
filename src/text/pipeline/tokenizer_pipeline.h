// A Hugging Face fast tokenizer without Torch: added tokens -> normalizer -> pre-tokenizer -> model
// -> truncation -> post-processor -> padding, as tokenizers' Tokenizer::encode runs them. Built from a
// tokenizer.json (tokenizer_json.h) or from the older files (tokenizer_files.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "text/pipeline/added_vocabulary.h"
#include "text/pipeline/encoded_text.h"
#include "text/pipeline/models.h"
#include "text/pipeline/normalizers.h"
#include "text/pipeline/post_processors.h"
#include "text/pipeline/pre_tokenizers.h"

namespace jpqd::text::pipeline {

struct PipelineParts {
  NormalizerPtr normalizer;         // may be null
  PreTokenizerPtr pre_tokenizer;    // may be null
  ModelPtr model;                   // required
  PostProcessorPtr post_processor;  // may be null
  std::vector<AddedToken> added_tokens;
};

class TokenizerPipeline {
 public:
  explicit TokenizerPipeline(PipelineParts parts);

  void set_truncation(std::optional<TruncationParams> truncation) { truncation_ = std::move(truncation); }
  void set_padding(std::optional<PaddingParams> padding) { padding_ = std::move(padding); }
  const std::optional<TruncationParams>& truncation() const { return truncation_; }
  const std::optional<PaddingParams>& padding() const { return padding_; }

  // One text or a pair, truncated and padded as set. Throws InvalidArgument when truncation cannot
  // honour max_length (see truncate_encodings) or max_length is below the special tokens' count.
  EncodedText encode(const std::string& text, const std::optional<std::string>& pair = std::nullopt,
                     bool add_special_tokens = true) const;
  // Each input as encode() gives it, then padded together (padding to the longest pads to the
  // longest of this batch).
  std::vector<EncodedText> encode_batch(const std::vector<std::pair<std::string, std::optional<std::string>>>& inputs,
                                        bool add_special_tokens = true) const;

  // encode() with this truncation instead of the pipeline's, and no padding: for callers that share
  // one pipeline between threads with different limits.
  EncodedText encode_truncated(const std::string& text, const std::optional<std::string>& pair,
                               const std::optional<TruncationParams>& truncation, bool add_special_tokens = true) const;
  // The post-processor's special tokens around texts encoded without them (question answering cuts
  // its context into windows first); `second` may be null.
  EncodedText add_special_tokens(EncodedText first, const EncodedText* second) const;
  size_t special_token_count(bool pair) const;

  std::optional<int64_t> token_to_id(const std::string& token) const;
  const PipelineParts& parts() const { return parts_; }

 private:
  EncodedText encode_unpadded(const std::string& text, const std::optional<std::string>& pair,
                              bool add_special_tokens, const std::optional<TruncationParams>& truncation) const;
  EncodedText encode_sequence(const std::string& text, int sequence) const;
  // The model's tokens of `splits` (after pre-tokenization) appended to `out`.
  void encode_splits(std::vector<Split>& splits, int sequence, EncodedText& out) const;
  // encode_sequence for pipelines with ascii_words_, on text without added tokens (ascii_words.cc).
  void encode_by_words(std::string_view text, int sequence, EncodedText& out) const;

  PipelineParts parts_;
  AddedVocabulary added_;
  // BERT's normalizer (or one acting on ASCII as it does, or none) and pre-tokenizer, and no added
  // token matched in normalized text: ASCII words can skip both stages (ascii_words.cc).
  bool ascii_words_ = false;
  bool ascii_lowercase_ = false;
  std::optional<TruncationParams> truncation_;
  std::optional<PaddingParams> padding_;
};

}  // namespace jpqd::text::pipeline
