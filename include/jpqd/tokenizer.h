// jpqd's tokenizer on its own: the Hugging Face fast tokenizer a model was trained with (WordPiece, byte-level
// BPE or SentencePiece Unigram, read from tokenizer.json or the classic vocab.txt, vocab.json + merges.txt,
// sentencepiece.bpe.model), giving what `tokenizers`' Encoding gives. A model.jpqd carries its tokenizer, so
// Tokenizer::from_model() tokenizes exactly as training did.
//
//   auto tok = jpqd::Tokenizer::from_model("model.jpqd");
//   jpqd::Encoding e = tok.encode("Hello world!");            // e.ids, e.tokens, e.offsets, ...
//   auto batch = tok.encode_batch({"a", "bb"}, {}, {0, jpqd::Truncation::kLongestFirst, jpqd::Padding::kLongest});
//
// Immutable and safe to share between threads. Part of jpqd::runtime (no LibTorch). Throws jpqd::IoError,
// jpqd::FormatError and jpqd::InvalidArgument (jpqd/error.h), each with a one-line message.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "jpqd/error.h"

namespace jpqd {

namespace runtime {
class Model;
}

// As `tokenizers` names them. longest_first removes one token at a time from the longer text (from the
// second on a tie); only_first / only_second cut that text alone; kNone never cuts (max_length is then
// ignored).
enum class Truncation { kNone, kLongestFirst, kOnlyFirst, kOnlySecond };
// kMaxLength pads to max_length; kLongest pads every encoding of one encode_batch() call to its longest
// (encode() alone has nothing to pad to). Padding tokens are [PAD]-like: type 0, attention 0.
enum class Padding { kNone, kMaxLength, kLongest };

struct EncodeOptions {
  int64_t max_length = 0;  // counts the special tokens; 0 = no limit and no truncation
  Truncation truncation = Truncation::kLongestFirst;
  Padding padding = Padding::kNone;
  bool add_special_tokens = true;  // [CLS] a [SEP] (b [SEP]), or the model's own template
};

// One encoded text or pair, field for field as `tokenizers`' Encoding. Offsets are [begin, end) BYTE
// offsets into the UTF-8 text the token came from (sequence_ids says which), (0, 0) for special and padding
// tokens. sequence_ids is 0 or 1 for tokens of the first or second text, -1 for special and padding tokens.
struct Encoding {
  std::vector<int64_t> ids;
  std::vector<int64_t> type_ids;
  std::vector<std::string> tokens;
  std::vector<std::pair<int64_t, int64_t>> offsets;
  std::vector<int64_t> attention_mask;
  std::vector<int64_t> special_tokens_mask;  // 1 for special and padding tokens
  std::vector<int> sequence_ids;

  size_t size() const { return ids.size(); }
};

class Tokenizer {
 public:
  // A checkpoint directory's tokenizer files. IoError when it has none; FormatError / InvalidArgument
  // naming the file for one jpqd cannot read.
  static Tokenizer from_directory(const std::string& dir);
  // The tokenizer a model.jpqd carries (loads only what it needs of the file).
  static Tokenizer from_model(const std::string& model_path);

  // InvalidArgument when truncation cannot honour max_length (the text it must cut is too short, only_second
  // without a pair, max_length below the special tokens' count), as the fast tokenizer refuses it, and for
  // Padding::kMaxLength without max_length.
  Encoding encode(const std::string& text, const std::optional<std::string>& pair = std::nullopt,
                  const EncodeOptions& options = {}) const;
  // One encoding per text; `pairs` is empty or as long as `texts` (InvalidArgument otherwise).
  std::vector<Encoding> encode_batch(const std::vector<std::string>& texts, const std::vector<std::string>& pairs = {},
                                     const EncodeOptions& options = {}) const;

  // One past the largest token id.
  int64_t vocab_size() const;
  std::optional<int64_t> token_to_id(const std::string& token) const;
  std::optional<std::string> id_to_token(int64_t id) const;
  // InvalidArgument when the tokenizer has no padding token.
  int64_t pad_id() const;
  // tokenizer_config.json's model_max_length (512 when absent).
  int64_t model_max_length() const;

 private:
  struct Impl;  // the library's tokenizer
  friend class runtime::Model;
  explicit Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace jpqd
