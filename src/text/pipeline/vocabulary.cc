#include "common/error.h"
#include "text/pipeline/models.h"

namespace jpqd::text::pipeline {

Vocabulary::Vocabulary(const std::vector<std::pair<std::string, int64_t>>& entries, const std::string& where) {
  index_.reserve(entries.size());
  for (const auto& [token, id] : entries) {
    JPQD_CHECK(id >= 0 && id < (int64_t{1} << 31), InvalidArgument, where, ": token \"", token, "\" has id ", id,
               " outside [0, 2^31)");
    const auto [it, added] = tokens_.emplace(id, token);
    JPQD_CHECK(added, InvalidArgument, where, ": id ", id, " is given to both \"", it->second, "\" and \"", token, "\"");
    index_[token] = id;
  }
}

std::optional<int64_t> Vocabulary::find(const std::string& token) const {
  const auto it = index_.find(token);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Vocabulary::token(int64_t id) const {
  const auto it = tokens_.find(id);
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

}  // namespace jpqd::text::pipeline
