#include "text/vocab.h"

#include <utility>

#include "common/error.h"
#include "common/file_io.h"
#include "text/sha256.h"
#include "text/special_tokens.h"
#include "text/utf8.h"

namespace jpqd::text {

Vocab Vocab::build(std::vector<std::string> tokens, const std::string& where, bool from_file) {
  const auto fail = [&](const std::string& message) -> void {
    if (from_file) throw FormatError(where + ": " + message);
    throw InvalidArgument(where + ": " + message);
  };
  if (tokens.empty()) fail("the vocabulary is empty");
  Vocab vocab;
  vocab.index_.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    if (!from_file && token.find('\n') != std::string::npos) {
      fail(str_cat("token ", i, " contains a newline"));
    }
    auto [it, inserted] = vocab.index_.emplace(token, static_cast<int64_t>(i));
    if (!inserted) {
      fail(str_cat("token \"", token, "\" appears twice (", from_file ? "lines " : "ids ", it->second + (from_file ? 1 : 0),
                   " and ", i + (from_file ? 1 : 0), ")"));
    }
  }
  if (vocab.index_.count(kUnkToken) == 0) fail(str_cat("no ", kUnkToken, " token"));
  vocab.tokens_ = std::move(tokens);
  return vocab;
}

Vocab Vocab::from_file(const std::string& path) { return from_text(read_text_file(path), path); }

Vocab Vocab::from_text(std::string content, const std::string& path) {
  if (content.compare(0, 3, "\xEF\xBB\xBF") == 0) content.erase(0, 3);
  if (!is_valid_utf8(content)) throw FormatError(path + ": not valid UTF-8");
  std::vector<std::string> tokens;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    std::string line = content.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(std::move(line));
    start = end + 1;
  }
  return build(std::move(tokens), path, /*from_file=*/true);
}

Vocab Vocab::from_tokens(std::vector<std::string> tokens) {
  return build(std::move(tokens), "vocabulary", /*from_file=*/false);
}

std::optional<int64_t> Vocab::find(const std::string& token) const {
  auto it = index_.find(token);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

int64_t Vocab::id(const std::string& token) const {
  auto it = index_.find(token);
  return it == index_.end() ? unk_id() : it->second;
}

const std::string& Vocab::token(int64_t id) const {
  JPQD_CHECK(id >= 0 && id < size(), InvalidArgument, "token id ", id, " is outside the vocabulary of ", size(),
             " tokens");
  return tokens_[static_cast<size_t>(id)];
}

int64_t Vocab::special_id(const char* token) const {
  auto it = index_.find(token);
  JPQD_CHECK(it != index_.end(), InvalidArgument, "the vocabulary has no ", token, " token");
  return it->second;
}

int64_t Vocab::pad_id() const { return special_id(kPadToken); }
int64_t Vocab::unk_id() const { return special_id(kUnkToken); }
int64_t Vocab::cls_id() const { return special_id(kClsToken); }
int64_t Vocab::sep_id() const { return special_id(kSepToken); }
int64_t Vocab::mask_id() const { return special_id(kMaskToken); }

std::string Vocab::fingerprint() const {
  std::string joined;
  for (const std::string& token : tokens_) {
    joined += token;
    joined += '\n';
  }
  return sha256_hex(joined);
}

}  // namespace jpqd::text
