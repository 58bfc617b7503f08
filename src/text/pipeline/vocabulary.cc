#include "common/error.h"
#include "text/pipeline/models.h"

namespace jpqd::text::pipeline {

Vocabulary::Vocabulary(const std::vector<std::pair<std::string, int64_t>>& entries, const std::string& where) {
  index_.reserve(entries.size());
  for (const auto& [token, id] : entries) {
    JPQD_CHECK(id >= 0 && id < (int64_t{1} << 31), InvalidArgument, where, ": token \"", token, "\" has id ", id,
               " outside [0, 2^31)");
    if (static_cast<size_t>(id) >= tokens_.size()) tokens_.resize(static_cast<size_t>(id) + 1);
    JPQD_CHECK(!tokens_[static_cast<size_t>(id)], InvalidArgument, where, ": id ", id, " is given to both \"",
               *tokens_[static_cast<size_t>(id)], "\" and \"", token, "\"");
    tokens_[static_cast<size_t>(id)] = token;
    index_[token] = id;
  }
}

std::optional<int64_t> Vocabulary::find(const std::string& token) const {
  const auto it = index_.find(token);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Vocabulary::token(int64_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= tokens_.size()) return std::nullopt;
  return tokens_[static_cast<size_t>(id)];
}

}  // namespace jpqd::text::pipeline
