// The tokenizer every stage uses: a Hugging Face fast tokenizer (text/pipeline/) built from a
// checkpoint's tokenizer files — tokenizer.json, or the classic vocab.txt, vocab.json + merges.txt or
// sentencepiece.bpe.model — which it keeps, byte for byte, so that saved checkpoints and model.jpqd
// carry exactly what training read, and `jpqd eval` and the runtime tokenize as training did.
// Immutable after construction and safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "text/encoding.h"
#include "text/pipeline/encoded_text.h"
#include "text/pipeline/tokenizer_files.h"

namespace jpqd::text {

class Tokenizer {
 public:
  // IoError when `dir` holds no tokenizer file; FormatError / InvalidArgument naming the file for a
  // file jpqd cannot read or a component it does not implement.
  static Tokenizer from_directory(const std::string& dir);
  static Tokenizer from_files(pipeline::TokenizerFiles files);
  // BERT's uncased WordPiece over `tokens` (id = index), as a vocab.txt of them would give.
  static Tokenizer from_vocab(const std::vector<std::string>& tokens);

  // Writes the files it was built from into `dir`, each atomically.
  void save(const std::string& dir) const;
  const pipeline::TokenizerFiles& files() const { return *files_; }

  // The model's input for one text or pair. max_length counts the special tokens; 0 = no limit (and
  // no truncation). InvalidArgument when the truncation cannot honour max_length (the chosen text is
  // too short to cut, only_second without a pair, max_length below the special tokens' count), as the
  // fast tokenizer refuses it. Padding::kMaxLength needs max_length > 0.
  Encoding encode(const std::string& text, const std::optional<std::string>& text_pair = std::nullopt,
                  int64_t max_length = 0, Truncation truncation = Truncation::kLongestFirst,
                  Padding padding = Padding::kNone) const;
  // One text's tokens without special tokens, with their byte offsets.
  pipeline::EncodedText tokenize(const std::string& text) const;
  // The special tokens encode() adds, around texts from tokenize(): tokens of `second` (may be null)
  // get sequence id 1.
  pipeline::EncodedText add_special_tokens(pipeline::EncodedText first, pipeline::EncodedText* second) const;
  size_t special_token_count(bool pair) const;

  // One past the largest token id: the rows an embedding table needs.
  int64_t vocab_size() const { return vocab_size_; }
  std::optional<std::string> id_to_token(int64_t id) const;
  std::optional<int64_t> token_to_id(const std::string& token) const;
  // InvalidArgument naming the files when the tokenizer has no such token.
  int64_t pad_id() const;
  int64_t mask_id() const;
  // The ids of every special token (never masked by MLM, never split).
  const std::vector<int64_t>& special_ids() const { return special_ids_; }
  // The WordPiece "##" continuation marks of BERT-style vocabularies (whole-word masking needs them).
  bool marks_continuations() const { return marks_continuations_; }
  int64_t model_max_length() const { return model_max_length_; }
  // Equal for tokenizers that map every id to the same token (a teacher that can read the student's ids).
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  std::shared_ptr<const pipeline::TokenizerFiles> files_;
  std::shared_ptr<const pipeline::TokenizerPipeline> pipeline_;
  std::optional<int64_t> pad_id_, mask_id_;
  std::vector<int64_t> special_ids_;
  bool marks_continuations_ = false;
  int64_t vocab_size_ = 0;
  int64_t model_max_length_ = 512;
  std::string fingerprint_;
};

}  // namespace jpqd::text
