#include "text/pipeline/tokenizer_pipeline.h"

#include <algorithm>

#include "common/error.h"

namespace jpqd::text::pipeline {

TokenizerPipeline::TokenizerPipeline(PipelineParts parts)
    : parts_(std::move(parts)), added_(parts_.added_tokens, parts_.normalizer) {
  JPQD_CHECK(parts_.model != nullptr, InvalidArgument, "a tokenizer pipeline needs a model");
  const bool per_char = !parts_.normalizer || parts_.normalizer->acts_per_ascii_char(ascii_lowercase_);
  ascii_words_ = per_char && parts_.pre_tokenizer && parts_.pre_tokenizer->splits_like_bert() &&
                 !added_.has_normalized_tokens();
}

std::optional<int64_t> TokenizerPipeline::token_to_id(const std::string& token) const {
  for (const AddedToken& t : parts_.added_tokens) {
    if (t.content == token) return t.id;
  }
  return parts_.model->token_to_id(token);
}

EncodedText TokenizerPipeline::encode_sequence(const std::string& text, int sequence) const {
  EncodedText out;
  out.reserve(text.size() / 4 + 4);  // English runs to about a token per four or five bytes
  if (ascii_words_ && !added_.may_match_raw(text)) {
    encode_by_words(text, sequence, out);
    return out;
  }
  std::vector<Split> splits = added_.extract_and_normalize(text, parts_.normalizer.get());
  if (parts_.pre_tokenizer) parts_.pre_tokenizer->pre_tokenize(splits);
  encode_splits(splits, sequence, out);
  return out;
}

void TokenizerPipeline::encode_splits(std::vector<Split>& splits, int sequence, EncodedText& out) const {
  std::vector<ModelToken> model_tokens;
  std::string piece;
  std::vector<size_t> char_of_byte;
  for (Split& split : splits) {
    if (split.tokens) {
      for (Token& t : *split.tokens) out.add_token(t.id, std::move(t.value), t.begin, t.end, sequence);
      continue;
    }
    // The model sees UTF-8 and answers in byte ranges; map them back to characters for offsets.
    piece.clear();
    char_of_byte.clear();
    for (size_t k = 0; k < split.text.size(); ++k) {
      const size_t before = piece.size();
      append_utf8(piece, split.text[k].cp);
      char_of_byte.insert(char_of_byte.end(), piece.size() - before, k);
    }
    char_of_byte.push_back(split.text.size());
    model_tokens.clear();
    parts_.model->tokenize(piece, model_tokens);
    for (ModelToken& t : model_tokens) {
      const size_t first = char_of_byte[std::min(t.begin, piece.size())];
      const size_t last = t.end >= piece.size() ? split.text.size() : char_of_byte[t.end];
      const auto [begin, end] = original_range(split.text, first, std::max(last, first + 1), 0);
      out.add_token(t.id, std::move(t.value), begin, end, sequence);
    }
  }
}

size_t TokenizerPipeline::special_token_count(bool pair) const {
  return parts_.post_processor ? parts_.post_processor->added_tokens(pair) : 0;
}

EncodedText TokenizerPipeline::add_special_tokens(EncodedText first, const EncodedText* second) const {
  std::vector<EncodedText> encodings;
  encodings.push_back(std::move(first));
  if (second) encodings.push_back(*second);
  if (parts_.post_processor) encodings = parts_.post_processor->process(std::move(encodings), true);
  EncodedText out = std::move(encodings.front());
  for (size_t k = 1; k < encodings.size(); ++k) out.append(std::move(encodings[k]));
  return out;
}

EncodedText TokenizerPipeline::encode_truncated(const std::string& text, const std::optional<std::string>& pair,
                                                const std::optional<TruncationParams>& truncation,
                                                bool add_special_tokens) const {
  return encode_unpadded(text, pair, add_special_tokens, truncation);
}

EncodedText TokenizerPipeline::encode_unpadded(const std::string& text, const std::optional<std::string>& pair,
                                               bool add_special_tokens,
                                               const std::optional<TruncationParams>& truncation) const {
  std::vector<EncodedText> encodings;
  encodings.push_back(encode_sequence(text, 0));
  if (pair) encodings.push_back(encode_sequence(*pair, 1));
  if (truncation) {
    TruncationParams params = *truncation;
    const size_t added = add_special_tokens ? special_token_count(pair.has_value()) : 0;
    JPQD_CHECK(params.max_length >= added, InvalidArgument, "max_length ", params.max_length, " leaves no room: the ",
               pair ? "pair" : "text", " takes ", added, " special tokens");
    params.max_length -= added;
    truncate_encodings(encodings[0], pair ? &encodings[1] : nullptr, params);
  }
  if (parts_.post_processor) encodings = parts_.post_processor->process(std::move(encodings), add_special_tokens);
  EncodedText out = std::move(encodings.front());
  for (size_t k = 1; k < encodings.size(); ++k) out.append(std::move(encodings[k]));
  return out;
}

EncodedText TokenizerPipeline::encode(const std::string& text, const std::optional<std::string>& pair,
                                      bool add_special_tokens) const {
  std::vector<EncodedText> one;
  one.push_back(encode_unpadded(text, pair, add_special_tokens, truncation_));
  if (padding_) pad_encodings(one, *padding_);
  return std::move(one.front());
}

std::vector<EncodedText> TokenizerPipeline::encode_batch(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& inputs, bool add_special_tokens) const {
  std::vector<EncodedText> batch;
  batch.reserve(inputs.size());
  for (const auto& [text, pair] : inputs) batch.push_back(encode_unpadded(text, pair, add_special_tokens, truncation_));
  if (padding_) pad_encodings(batch, *padding_);
  return batch;
}

}  // namespace jpqd::text::pipeline
