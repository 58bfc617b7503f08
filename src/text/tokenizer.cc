#include "text/tokenizer.h"

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "common/file_io.h"
#include "text/sha256.h"

namespace jpqd::text {

namespace {

// Checkpoints that name no model_max_length get BERT's 512 positions, as jpqd always assumed.
constexpr int64_t kDefaultModelMaxLength = 512;

std::optional<int64_t> first_known(const pipeline::TokenizerPipeline& p, const std::optional<std::string>& configured,
                                   std::initializer_list<const char*> defaults) {
  if (configured) return p.token_to_id(*configured);
  for (const char* token : defaults) {
    if (auto id = p.token_to_id(token)) return id;
  }
  return std::nullopt;
}

pipeline::TruncationStrategy strategy_of(Truncation t) {
  switch (t) {
    case Truncation::kOnlyFirst: return pipeline::TruncationStrategy::kOnlyFirst;
    case Truncation::kOnlySecond: return pipeline::TruncationStrategy::kOnlySecond;
    default: return pipeline::TruncationStrategy::kLongestFirst;
  }
}

}  // namespace

Tokenizer Tokenizer::from_directory(const std::string& dir) { return from_files(pipeline::read_tokenizer_files(dir)); }

Tokenizer Tokenizer::from_files(pipeline::TokenizerFiles files) {
  pipeline::LoadedTokenizer loaded = pipeline::load_tokenizer(files);
  Tokenizer t;
  t.files_ = std::make_shared<const pipeline::TokenizerFiles>(std::move(files));
  t.pipeline_ = std::make_shared<const pipeline::TokenizerPipeline>(std::move(loaded.pipeline));
  const pipeline::TokenizerPipeline& p = *t.pipeline_;
  const pipeline::TokenizerConfig& config = loaded.config;
  t.pad_id_ = first_known(p, config.pad_token, {"[PAD]", "<pad>"});
  if (!config.pad_token && p.padding()) t.pad_id_ = p.padding()->pad_id;
  t.mask_id_ = first_known(p, config.mask_token, {"[MASK]", "<mask>"});
  const pipeline::PipelineParts& parts = p.parts();
  t.vocab_size_ = parts.model->vocab_size();
  for (const pipeline::AddedToken& added : parts.added_tokens) {
    t.vocab_size_ = std::max(t.vocab_size_, added.id + 1);
    if (added.special) t.special_ids_.push_back(added.id);
  }
  std::sort(t.special_ids_.begin(), t.special_ids_.end());
  t.special_ids_.erase(std::unique(t.special_ids_.begin(), t.special_ids_.end()), t.special_ids_.end());
  t.marks_continuations_ = parts.model->continuing_subword_prefix() == std::string("##");
  t.model_max_length_ = config.model_max_length.value_or(kDefaultModelMaxLength);
  std::string table;
  for (int64_t id = 0; id < t.vocab_size_; ++id) {
    table += t.id_to_token(id).value_or("");
    table += '\n';
  }
  t.fingerprint_ = sha256_hex(table);
  return t;
}

Tokenizer Tokenizer::from_vocab(const std::vector<std::string>& tokens) {
  pipeline::TokenizerFiles files;
  files.where = "vocabulary";
  std::string& vocab_txt = files.contents["vocab.txt"];
  for (const std::string& token : tokens) {
    JPQD_CHECK(token.find('\n') == std::string::npos, InvalidArgument, "vocabulary: token \"", token,
               "\" contains a newline");
    vocab_txt += token + "\n";
  }
  return from_files(std::move(files));
}

void Tokenizer::save(const std::string& dir) const {
  ensure_writable_directory(dir);
  for (const auto& [name, bytes] : files_->contents) {
    write_file_atomically((std::filesystem::path(dir) / name).string(), bytes);
  }
}

std::optional<std::string> Tokenizer::id_to_token(int64_t id) const {
  for (const pipeline::AddedToken& added : pipeline_->parts().added_tokens) {
    if (added.id == id) return added.content;
  }
  return pipeline_->parts().model->id_to_token(id);
}

std::optional<int64_t> Tokenizer::token_to_id(const std::string& token) const { return pipeline_->token_to_id(token); }

int64_t Tokenizer::pad_id() const {
  JPQD_CHECK(pad_id_.has_value(), InvalidArgument, files_->where,
             ": the tokenizer has no pad token (set \"pad_token\" in tokenizer_config.json)");
  return *pad_id_;
}

int64_t Tokenizer::mask_id() const {
  JPQD_CHECK(mask_id_.has_value(), InvalidArgument, files_->where,
             ": the tokenizer has no mask token (set \"mask_token\" in tokenizer_config.json)");
  return *mask_id_;
}

Encoding Tokenizer::encode(const std::string& text, const std::optional<std::string>& text_pair, int64_t max_length,
                           Truncation truncation, Padding padding) const {
  JPQD_CHECK(max_length >= 0, InvalidArgument, "max_length must be >= 0, got ", max_length);
  JPQD_CHECK(padding == Padding::kNone || max_length > 0, InvalidArgument, "padding to max_length needs a max_length");
  std::optional<pipeline::TruncationParams> params;
  if (max_length > 0 && truncation != Truncation::kNone) {
    params = pipeline::TruncationParams{static_cast<size_t>(max_length), strategy_of(truncation),
                                        pipeline::Direction::kRight};
  }
  pipeline::EncodedText e = pipeline_->encode_truncated(text, text_pair, params);
  if (padding == Padding::kMaxLength && e.size() < static_cast<size_t>(max_length)) {
    pipeline::PaddingParams pad;
    pad.to_longest = false;
    pad.length = static_cast<size_t>(max_length);
    pad.pad_id = pad_id();
    pad.pad_token = id_to_token(pad.pad_id).value_or("");
    std::vector<pipeline::EncodedText> one;
    one.push_back(std::move(e));
    pipeline::pad_encodings(one, pad);
    e = std::move(one.front());
  }
  Encoding out;
  out.input_ids = std::move(e.ids);
  out.token_type_ids = std::move(e.type_ids);
  out.attention_mask = std::move(e.attention_mask);
  out.offsets = std::move(e.offsets);
  out.sequence_ids = std::move(e.sequence_ids);
  return out;
}

pipeline::EncodedText Tokenizer::tokenize(const std::string& text) const {
  return pipeline_->encode_truncated(text, std::nullopt, std::nullopt, /*add_special_tokens=*/false);
}

pipeline::EncodedText Tokenizer::add_special_tokens(pipeline::EncodedText first, pipeline::EncodedText* second) const {
  if (second) std::fill(second->sequence_ids.begin(), second->sequence_ids.end(), 1);
  return pipeline_->add_special_tokens(std::move(first), second);
}

size_t Tokenizer::special_token_count(bool pair) const { return pipeline_->special_token_count(pair); }

}  // namespace jpqd::text
