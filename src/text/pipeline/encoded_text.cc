#include "text/pipeline/encoded_text.h"

#include <algorithm>

#include "common/error.h"

namespace jpqd::text::pipeline {
namespace {

template <typename T>
void keep(std::vector<T>& v, size_t length, bool from_left) {
  if (v.size() <= length) return;
  if (from_left) {
    v.erase(v.begin(), v.end() - static_cast<std::ptrdiff_t>(length));
  } else {
    v.resize(length);
  }
}

template <typename T>
void pad(std::vector<T>& v, size_t count, const T& value, bool left) {
  v.insert(left ? v.begin() : v.end(), count, value);
}

}  // namespace

void EncodedText::append(const EncodedText& other) {
  tokens.insert(tokens.end(), other.tokens.begin(), other.tokens.end());
  append_numbers(other);
}

void EncodedText::append_numbers(const EncodedText& other) {
  ids.insert(ids.end(), other.ids.begin(), other.ids.end());
  type_ids.insert(type_ids.end(), other.type_ids.begin(), other.type_ids.end());
  offsets.insert(offsets.end(), other.offsets.begin(), other.offsets.end());
  special_tokens_mask.insert(special_tokens_mask.end(), other.special_tokens_mask.begin(),
                             other.special_tokens_mask.end());
  attention_mask.insert(attention_mask.end(), other.attention_mask.begin(), other.attention_mask.end());
  sequence_ids.insert(sequence_ids.end(), other.sequence_ids.begin(), other.sequence_ids.end());
}

void EncodedText::append(EncodedText&& other) {
  if (ids.empty()) {
    *this = std::move(other);
    return;
  }
  const size_t before = tokens.size();
  append_numbers(other);
  tokens.resize(before + other.tokens.size());
  std::move(other.tokens.begin(), other.tokens.end(), tokens.begin() + static_cast<std::ptrdiff_t>(before));
}

void EncodedText::reserve(size_t n) {
  ids.reserve(n);
  type_ids.reserve(n);
  tokens.reserve(n);
  offsets.reserve(n);
  special_tokens_mask.reserve(n);
  attention_mask.reserve(n);
  sequence_ids.reserve(n);
}

void EncodedText::prepend_special(int64_t id, const std::string& token, int64_t type_id) {
  ids.insert(ids.begin(), id);
  type_ids.insert(type_ids.begin(), type_id);
  tokens.insert(tokens.begin(), token);
  offsets.insert(offsets.begin(), {0, 0});
  special_tokens_mask.insert(special_tokens_mask.begin(), 1);
  attention_mask.insert(attention_mask.begin(), 1);
  sequence_ids.insert(sequence_ids.begin(), -1);
}

void EncodedText::truncate(size_t length, bool from_left) {
  keep(ids, length, from_left);
  keep(type_ids, length, from_left);
  keep(tokens, length, from_left);
  keep(offsets, length, from_left);
  keep(special_tokens_mask, length, from_left);
  keep(attention_mask, length, from_left);
  keep(sequence_ids, length, from_left);
}

void EncodedText::add_special(int64_t id, const std::string& token, int64_t type_id) {
  ids.push_back(id);
  type_ids.push_back(type_id);
  tokens.push_back(token);
  offsets.emplace_back(0, 0);
  special_tokens_mask.push_back(1);
  attention_mask.push_back(1);
  sequence_ids.push_back(-1);
}

void EncodedText::set_type_ids(int64_t type_id) { std::fill(type_ids.begin(), type_ids.end(), type_id); }

void truncate_encodings(EncodedText& first, EncodedText* second, const TruncationParams& params) {
  const bool left = params.direction == Direction::kLeft;
  const size_t max_length = params.max_length;
  const size_t total = first.size() + (second ? second->size() : 0);
  if (total <= max_length) return;
  const size_t to_remove = total - max_length;
  if (params.strategy == TruncationStrategy::kLongestFirst) {
    if (!second) {
      first.truncate(max_length, left);
      return;
    }
    // The shorter text keeps what it has when the other can absorb the cut; otherwise both get half
    // of the budget, the extra token going to the one that was longer.
    size_t n1 = first.size(), n2 = second->size();
    const bool swapped = n1 > n2;
    if (swapped) std::swap(n1, n2);
    n2 = n1 > max_length ? n1 : std::max(n1, max_length - n1);
    if (n1 + n2 > max_length) {
      n1 = max_length / 2;
      n2 = n1 + max_length % 2;
    }
    if (swapped) std::swap(n1, n2);
    first.truncate(n1, left);
    second->truncate(n2, left);
    return;
  }
  EncodedText* target = params.strategy == TruncationStrategy::kOnlyFirst ? &first : second;
  JPQD_CHECK(target != nullptr, InvalidArgument, "truncation only_second needs a pair of texts");
  JPQD_CHECK(target->size() > to_remove, InvalidArgument, "truncation ",
             params.strategy == TruncationStrategy::kOnlyFirst ? "only_first" : "only_second", " to max_length ",
             max_length, ": the text to cut has ", target->size(), " tokens, ", to_remove,
             " must go; use longest_first");
  target->truncate(target->size() - to_remove, left);
}

void pad_encodings(std::vector<EncodedText>& batch, const PaddingParams& params) {
  if (batch.empty()) return;
  size_t length = params.length;
  if (params.to_longest) {
    length = 0;
    for (const EncodedText& e : batch) length = std::max(length, e.size());
  }
  if (params.pad_to_multiple_of > 0 && length % params.pad_to_multiple_of != 0) {
    length += params.pad_to_multiple_of - length % params.pad_to_multiple_of;
  }
  const bool left = params.direction == Direction::kLeft;
  for (EncodedText& e : batch) {
    if (e.size() >= length) continue;
    const size_t n = length - e.size();
    pad(e.ids, n, params.pad_id, left);
    pad(e.type_ids, n, params.pad_type_id, left);
    pad(e.tokens, n, params.pad_token, left);
    pad(e.offsets, n, std::pair<int64_t, int64_t>{0, 0}, left);
    pad(e.special_tokens_mask, n, int64_t{1}, left);
    pad(e.attention_mask, n, int64_t{0}, left);
    pad(e.sequence_ids, n, -1, left);
  }
}

}  // namespace jpqd::text::pipeline
