// jpqd::Tokenizer: the public face of text::Tokenizer, with the fields `tokenizers`' Encoding has.
#include "jpqd/tokenizer.h"

#include <algorithm>

#include "api/runtime/tokenizer_impl.h"
#include "common/error.h"
#include "format/model_file.h"
#include "format/model_metadata.h"
#include "format/model_tokenizer.h"

namespace jpqd {

namespace {

text::Truncation library_truncation(Truncation t) {
  switch (t) {
    case Truncation::kNone: return text::Truncation::kNone;
    case Truncation::kOnlyFirst: return text::Truncation::kOnlyFirst;
    case Truncation::kOnlySecond: return text::Truncation::kOnlySecond;
    case Truncation::kLongestFirst: break;
  }
  return text::Truncation::kLongestFirst;
}

Encoding public_encoding(text::Encoding&& e, const text::Tokenizer& tokenizer) {
  Encoding out;
  out.ids = std::move(e.input_ids);
  out.type_ids = std::move(e.token_type_ids);
  out.attention_mask = std::move(e.attention_mask);
  out.offsets = std::move(e.offsets);
  out.sequence_ids = std::move(e.sequence_ids);
  out.tokens.reserve(out.ids.size());
  out.special_tokens_mask.reserve(out.ids.size());
  for (size_t i = 0; i < out.ids.size(); ++i) {
    out.tokens.push_back(tokenizer.id_to_token(out.ids[i]).value_or(""));
    // As `tokenizers`: special tokens and padding are 1, whichever text they sit in.
    out.special_tokens_mask.push_back(out.sequence_ids[i] < 0 ? 1 : 0);
  }
  return out;
}

// One text's tokens without the template's special tokens, cut to max_length when truncating.
Encoding encode_plain(const text::Tokenizer& tokenizer, const std::string& text, const EncodeOptions& options) {
  text::pipeline::EncodedText e = tokenizer.tokenize(text);
  if (options.max_length > 0 && options.truncation != Truncation::kNone) {
    text::pipeline::TruncationParams params;
    params.max_length = static_cast<size_t>(options.max_length);
    params.strategy = options.truncation == Truncation::kOnlySecond ? text::pipeline::TruncationStrategy::kOnlySecond
                                                                    : text::pipeline::TruncationStrategy::kLongestFirst;
    text::pipeline::truncate_encodings(e, nullptr, params);
  }
  Encoding out;
  out.ids = std::move(e.ids);
  out.type_ids = std::move(e.type_ids);
  out.tokens = std::move(e.tokens);
  out.offsets = std::move(e.offsets);
  out.attention_mask = std::move(e.attention_mask);
  out.special_tokens_mask = std::move(e.special_tokens_mask);
  out.sequence_ids = std::move(e.sequence_ids);
  return out;
}

void pad_to(Encoding& e, size_t length, int64_t pad_id, const std::string& pad_token) {
  if (e.size() >= length) return;
  const size_t n = length - e.size();
  e.ids.insert(e.ids.end(), n, pad_id);
  e.type_ids.insert(e.type_ids.end(), n, 0);
  e.tokens.insert(e.tokens.end(), n, pad_token);
  e.offsets.insert(e.offsets.end(), n, {0, 0});
  e.attention_mask.insert(e.attention_mask.end(), n, 0);
  e.special_tokens_mask.insert(e.special_tokens_mask.end(), n, 1);
  e.sequence_ids.insert(e.sequence_ids.end(), n, -1);
}

}  // namespace

Tokenizer Tokenizer::from_directory(const std::string& dir) {
  return Tokenizer(std::make_shared<const Impl>(
      Impl{std::make_shared<const text::Tokenizer>(text::Tokenizer::from_directory(dir))}));
}

Tokenizer Tokenizer::from_model(const std::string& model_path) {
  const format::ModelFile file = format::ModelFile::open(model_path);
  const auto metadata = format::ModelMetadata::from_json(file.metadata(), model_path);
  return Tokenizer(std::make_shared<const Impl>(
      Impl{std::make_shared<const text::Tokenizer>(format::model_tokenizer(file, metadata))}));
}

Encoding Tokenizer::encode(const std::string& text, const std::optional<std::string>& pair,
                           const EncodeOptions& options) const {
  const text::Tokenizer& t = *impl_->tokenizer;
  JPQD_CHECK(options.max_length >= 0, InvalidArgument, "encode: max_length must be >= 0, got ", options.max_length);
  JPQD_CHECK(options.padding != Padding::kMaxLength || options.max_length > 0, InvalidArgument,
             "encode: padding to max_length needs a max_length");
  Encoding out;
  if (!options.add_special_tokens) {
    // The library's post-processors decide a pair's type ids; without them there is no template to follow.
    JPQD_CHECK(!pair, InvalidArgument, "encode: add_special_tokens=false is supported for single texts only");
    out = encode_plain(t, text, options);
  } else {
    out = public_encoding(t.encode(text, pair, options.truncation == Truncation::kNone ? 0 : options.max_length,
                                   library_truncation(options.truncation), text::Padding::kNone),
                          t);
  }
  if (options.padding == Padding::kMaxLength) pad_to(out, static_cast<size_t>(options.max_length), pad_id(),
                                                     id_to_token(pad_id()).value_or(""));
  return out;
}

std::vector<Encoding> Tokenizer::encode_batch(const std::vector<std::string>& texts,
                                              const std::vector<std::string>& pairs,
                                              const EncodeOptions& options) const {
  JPQD_CHECK(pairs.empty() || pairs.size() == texts.size(), InvalidArgument, "encode_batch: ", pairs.size(),
             " pairs for ", texts.size(), " texts");
  std::vector<Encoding> out;
  out.reserve(texts.size());
  size_t longest = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    out.push_back(encode(texts[i], pairs.empty() ? std::nullopt : std::optional<std::string>(pairs[i]), options));
    longest = std::max(longest, out.back().size());
  }
  if (options.padding == Padding::kLongest && !out.empty()) {
    const int64_t pad = pad_id();
    const std::string pad_token = id_to_token(pad).value_or("");
    for (Encoding& e : out) pad_to(e, longest, pad, pad_token);
  }
  return out;
}

int64_t Tokenizer::vocab_size() const { return impl_->tokenizer->vocab_size(); }
std::optional<int64_t> Tokenizer::token_to_id(const std::string& token) const {
  return impl_->tokenizer->token_to_id(token);
}
std::optional<std::string> Tokenizer::id_to_token(int64_t id) const { return impl_->tokenizer->id_to_token(id); }
int64_t Tokenizer::pad_id() const { return impl_->tokenizer->pad_id(); }
int64_t Tokenizer::model_max_length() const { return impl_->tokenizer->model_max_length(); }

}  // namespace jpqd
