// tokenizer.json models: each turns one pre-tokenized piece into vocabulary tokens. WordPiece
// (greedy longest match), BPE (ranked merges), Unigram (Viterbi over piece scores) and WordLevel
// (whole-word lookup) behave as tokenizers' models of the same names.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/json_util.h"

namespace jpqd::text::pipeline {

// A token of one piece: its id, its text, and the byte range of the piece it covers.
struct ModelToken {
  int64_t id;
  std::string value;
  size_t begin;
  size_t end;
};

// Token <-> id, both ways. Ids need not be contiguous.
class Vocabulary {
 public:
  Vocabulary() = default;
  // Throws InvalidArgument naming `where` for a negative id or two tokens with the same id.
  Vocabulary(const std::vector<std::pair<std::string, int64_t>>& entries, const std::string& where);
  std::optional<int64_t> find(const std::string& token) const;
  std::optional<std::string> token(int64_t id) const;
  int64_t size() const { return static_cast<int64_t>(index_.size()); }
  const std::unordered_map<std::string, int64_t>& entries() const { return index_; }

 private:
  std::unordered_map<std::string, int64_t> index_;
  // Not a vector indexed by id: ids may be sparse, and one id near 2^31 would allocate gigabytes.
  std::unordered_map<int64_t, std::string> tokens_;
};

class Model {
 public:
  virtual ~Model() = default;
  // Appends the tokens of `piece` (non-empty UTF-8) to `out`.
  virtual void tokenize(const std::string& piece, std::vector<ModelToken>& out) const = 0;
  virtual std::optional<int64_t> token_to_id(const std::string& token) const = 0;
  virtual std::optional<std::string> id_to_token(int64_t id) const = 0;
  virtual int64_t vocab_size() const = 0;
  // WordPiece's mark of a token that continues a word ("##"); whole-word masking needs it.
  virtual std::optional<std::string> continuing_subword_prefix() const { return std::nullopt; }
};
using ModelPtr = std::shared_ptr<const Model>;

struct WordPieceOptions {
  std::string unk_token = "[UNK]";
  std::string continuing_subword_prefix = "##";
  int64_t max_input_chars_per_word = 100;
};
ModelPtr make_wordpiece_model(Vocabulary vocab, WordPieceOptions options, const std::string& where);

struct BpeOptions {
  std::optional<std::string> unk_token;
  std::optional<std::string> continuing_subword_prefix;
  std::optional<std::string> end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};
// `merges` in rank order. Throws InvalidArgument naming `where` when a merge names a token, or makes
// one, that is not in the vocabulary.
ModelPtr make_bpe_model(Vocabulary vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                        BpeOptions options, const std::string& where);

struct UnigramPiece {
  std::string token;
  double score;
};
ModelPtr make_unigram_model(std::vector<UnigramPiece> pieces, std::optional<int64_t> unk_id, bool byte_fallback,
                            const std::string& where);

ModelPtr make_wordlevel_model(Vocabulary vocab, const std::string& unk_token, const std::string& where);

// The "model" object of tokenizer.json; unknown types are refused naming `where`.
ModelPtr model_from_json(const Json& json, const std::string& where);

}  // namespace jpqd::text::pipeline
