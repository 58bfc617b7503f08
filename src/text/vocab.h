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
  static Vocab from_file(const std::string& path);
  static Vocab from_tokens(std::vector<std::string> tokens);

  std::optional<int64_t> find(const std::string& token) const;
  int64_t id(const std::string& token) const;  // unk_id() when absent
  const std::string& token(int64_t id) const;  // throws InvalidArgument when out of range
  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  const std::vector<std::string>& tokens() const { return tokens_; }

  int64_t pad_id() const;
  int64_t unk_id() const;
  int64_t cls_id() const;
  int64_t sep_id() const;
  int64_t mask_id() const;

  // SHA-256 of the token list, to check that a teacher and a student share a vocabulary.
  std::string fingerprint() const;

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int64_t> index_;
};

}  // namespace jpqd::text
