// One encoded text (or pair) as the pipeline passes it from the model through truncation,
// post-processing and padding: tokenizers' Encoding, without words and overflow.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace jpqd::text::pipeline {

struct EncodedText {
  std::vector<int64_t> ids;
  std::vector<int64_t> type_ids;
  std::vector<std::string> tokens;
  // [begin, end) byte offsets into the original text of the token's sequence; (0, 0) for special
  // tokens and padding.
  std::vector<std::pair<int64_t, int64_t>> offsets;
  std::vector<int64_t> special_tokens_mask;
  std::vector<int64_t> attention_mask;
  // 0 or 1 for tokens of the first or second text, -1 for special tokens and padding.
  std::vector<int> sequence_ids;

  size_t size() const { return ids.size(); }
  void reserve(size_t n);
  void append(const EncodedText& other);
  // Moves the token strings instead of copying them.
  void append(EncodedText&& other);
  // A token of text `sequence` (not a special token). Inline: the pipeline calls it for every token.
  void add_token(int64_t id, std::string&& token, int64_t begin, int64_t end, int sequence) {
    ids.push_back(id);
    type_ids.push_back(sequence);
    tokens.push_back(std::move(token));
    offsets.emplace_back(begin, end);
    special_tokens_mask.push_back(0);
    attention_mask.push_back(1);
    sequence_ids.push_back(sequence);
  }
  // add_special at the front.
  void prepend_special(int64_t id, const std::string& token, int64_t type_id);
  // Keeps `length` tokens: the first ones, or the last ones when `from_left`.
  void truncate(size_t length, bool from_left);
  void add_special(int64_t id, const std::string& token, int64_t type_id);
  void set_type_ids(int64_t type_id);

 private:
  void append_numbers(const EncodedText& other);  // every field but the token strings
};

enum class TruncationStrategy { kLongestFirst, kOnlyFirst, kOnlySecond };
enum class Direction { kRight, kLeft };

struct TruncationParams {
  size_t max_length = 512;
  TruncationStrategy strategy = TruncationStrategy::kLongestFirst;
  Direction direction = Direction::kRight;
};

// tokenizers' truncate_encodings for a budget of `max_length` tokens (special tokens already taken
// off). Throws InvalidArgument when only_second has no pair, or the text to cut is too short.
void truncate_encodings(EncodedText& first, EncodedText* second, const TruncationParams& params);

struct PaddingParams {
  bool to_longest = true;  // else to `length`
  size_t length = 0;
  size_t pad_to_multiple_of = 0;  // 0: no rounding
  int64_t pad_id = 0;
  int64_t pad_type_id = 0;
  std::string pad_token = "[PAD]";
  Direction direction = Direction::kRight;
};

// Pads every encoding of the batch to the common length `params` gives (never shortens).
void pad_encodings(std::vector<EncodedText>& batch, const PaddingParams& params);

}  // namespace jpqd::text::pipeline
