#include "text/pipeline/tokenizer_pipeline.h"

#include "common/error.h"

namespace jpqd::text::pipeline {

TokenizerPipeline::TokenizerPipeline(PipelineParts parts)
    : parts_(std::move(parts)), added_(parts_.added_tokens, parts_.normalizer) {
  JPQD_CHECK(parts_.model != nullptr, InvalidArgument, "a tokenizer pipeline needs a model");
}

std::optional<int64_t> TokenizerPipeline::token_to_id(const std::string& token) const {
  for (const AddedToken& t : parts_.added_tokens) {
    if (t.content == token) return t.id;
  }
  return parts_.model->token_to_id(token);
}

EncodedText TokenizerPipeline::encode_sequence(const std::string& text, int sequence) const {
  std::vector<Split> splits = added_.extract_and_normalize(text, parts_.normalizer.get());
  if (parts_.pre_tokenizer) parts_.pre_tokenizer->pre_tokenize(splits);
  EncodedText out;
  std::vector<ModelToken> model_tokens;
  std::vector<size_t> char_of_byte;
  const auto add = [&](int64_t id, std::string value, int64_t begin, int64_t end) {
    out.ids.push_back(id);
    out.type_ids.push_back(sequence);
    out.tokens.push_back(std::move(value));
    out.offsets.emplace_back(begin, end);
    out.special_tokens_mask.push_back(0);
    out.attention_mask.push_back(1);
    out.sequence_ids.push_back(sequence);
  };
  for (Split& split : splits) {
    if (split.tokens) {
      for (Token& t : *split.tokens) add(t.id, std::move(t.value), t.begin, t.end);
      continue;
    }
    // The model sees UTF-8 and answers in byte ranges; map them back to characters for offsets.
    std::string piece;
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
      add(t.id, std::move(t.value), begin, end);
    }
  }
  return out;
}

EncodedText TokenizerPipeline::encode_unpadded(const std::string& text, const std::optional<std::string>& pair,
                                               bool add_special_tokens) const {
  std::vector<EncodedText> encodings;
  encodings.push_back(encode_sequence(text, 0));
  if (pair) encodings.push_back(encode_sequence(*pair, 1));
  if (truncation_) {
    TruncationParams params = *truncation_;
    const size_t added = add_special_tokens && parts_.post_processor ? parts_.post_processor->added_tokens(pair.has_value()) : 0;
    JPQD_CHECK(params.max_length >= added, InvalidArgument, "max_length ", params.max_length, " leaves no room: the ",
               pair ? "pair" : "text", " takes ", added, " special tokens");
    params.max_length -= added;
    truncate_encodings(encodings[0], pair ? &encodings[1] : nullptr, params);
  }
  if (parts_.post_processor) encodings = parts_.post_processor->process(std::move(encodings), add_special_tokens);
  EncodedText out = std::move(encodings.front());
  for (size_t k = 1; k < encodings.size(); ++k) out.append(encodings[k]);
  return out;
}

EncodedText TokenizerPipeline::encode(const std::string& text, const std::optional<std::string>& pair,
                                      bool add_special_tokens) const {
  std::vector<EncodedText> one;
  one.push_back(encode_unpadded(text, pair, add_special_tokens));
  if (padding_) pad_encodings(one, *padding_);
  return std::move(one.front());
}

std::vector<EncodedText> TokenizerPipeline::encode_batch(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& inputs, bool add_special_tokens) const {
  std::vector<EncodedText> batch;
  batch.reserve(inputs.size());
  for (const auto& [text, pair] : inputs) batch.push_back(encode_unpadded(text, pair, add_special_tokens));
  if (padding_) pad_encodings(batch, *padding_);
  return batch;
}

}  // namespace jpqd::text::pipeline
