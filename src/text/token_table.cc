#include "text/token_table.h"

#include <limits>

#include "common/error.h"

namespace jpqd::text {

TokenTable::TokenTable(const std::vector<std::pair<std::string_view, int64_t>>& entries) {
  // At most half full, so a miss stops at an empty slot after a probe or two.
  size_t capacity = 16;
  while (capacity < 2 * entries.size()) capacity *= 2;
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (const auto& [key, id] : entries) {
    JPQD_CHECK(id >= 0 && id <= std::numeric_limits<int32_t>::max(), InvalidArgument, "token id ", id,
               " does not fit the token table");
    JPQD_CHECK(find(key) < 0, InvalidArgument, "token \"", key, "\" is in the token table twice");
    JPQD_CHECK(keys_.size() + key.size() <= std::numeric_limits<uint32_t>::max(), InvalidArgument,
               "the tokens do not fit the token table (", keys_.size() + key.size(), " bytes)");
    const uint32_t h = hash_of(key);
    size_t i = h & mask_;
    while (slots_[i].id >= 0) i = (i + 1) & mask_;
    slots_[i] = {h, static_cast<uint32_t>(keys_.size()), static_cast<uint32_t>(key.size()), static_cast<int32_t>(id)};
    keys_.append(key);
    if (key.size() > max_key_bytes_) max_key_bytes_ = key.size();
  }
}

}  // namespace jpqd::text
