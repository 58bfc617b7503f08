// A WordPiece vocabulary (vocab.txt: one token per line, id = 0-based line number).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace jpqd::text {

class Vocab {
 public:
  // Reads vocab.txt as HF load_vocab does (lines split on "\n", a trailing "\r" dropped, tokens kept
  // otherwise verbatim), plus a leading UTF-8 byte order mark dropped. Throws IoError when the file is
  // missing and FormatError naming the file when it is empty, not UTF-8, holds a token twice or has no
  // [UNK] (HF would silently keep the last duplicate; a vocabulary like that is corrupt).
  static Vocab from_file(const std::string& path);
  // The contents of a vocab.txt; `where` names it in messages.
  static Vocab from_text(std::string content, const std::string& where);
  // Same checks, as InvalidArgument; tokens must not contain "\n" (they could not be saved).
  static Vocab from_tokens(std::vector<std::string> tokens);

  std::optional<int64_t> find(const std::string& token) const;
  int64_t id(const std::string& token) const;  // unk_id() when absent
  const std::string& token(int64_t id) const;  // throws InvalidArgument when out of range
  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  const std::vector<std::string>& tokens() const { return tokens_; }

  // Ids of BERT's special tokens; throw InvalidArgument when the vocabulary lacks one ([UNK] always
  // exists, see from_file).
  int64_t pad_id() const;
  int64_t unk_id() const;
  int64_t cls_id() const;
  int64_t sep_id() const;
  int64_t mask_id() const;

  // Lower-case hex SHA-256 of the tokens each followed by "\n", i.e. `sha256sum` of the vocab.txt
  // that save writes; checks that a teacher and a student share a vocabulary.
  std::string fingerprint() const;

 private:
  static Vocab build(std::vector<std::string> tokens, const std::string& where, bool from_file);
  int64_t special_id(const char* token) const;

  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int64_t> index_;
};

}  // namespace jpqd::text
