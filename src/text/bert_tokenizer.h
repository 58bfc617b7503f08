// Hugging Face BertTokenizer behaviour, without Torch: basic tokenization (cleaning, lower-casing and
// accent stripping by NFD, punctuation and CJK splitting, special tokens never split) followed by
// greedy longest-match WordPiece with "##" continuations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "text/vocab.h"

namespace jpqd::text {

struct TokenizerOptions {
  bool do_lower_case = true;
  std::optional<bool> strip_accents;  // nullopt: follow do_lower_case, as HF does
  bool tokenize_chinese_chars = true;
  int max_input_chars_per_word = 100;
  int64_t model_max_length = 512;
};

enum class Truncation { kNone, kLongestFirst, kOnlyFirst, kOnlySecond };
enum class Padding { kNone, kMaxLength };

// One encoded example. Offsets are [begin, end) BYTE offsets into the UTF-8 text the token came
// from ((0, 0) for special and padding tokens); sequence_ids is 0 or 1 for tokens of the first or
// second text and -1 for special and padding tokens (as HF fast tokenizers' sequence_ids()).
struct Encoding {
  std::vector<int64_t> input_ids;
  std::vector<int64_t> token_type_ids;
  std::vector<int64_t> attention_mask;
  std::vector<std::pair<int64_t, int64_t>> offsets;
  std::vector<int> sequence_ids;
  // Tokens cut by truncation from the first (0) and second (1) text; SQuAD features use these.
  std::vector<std::pair<int64_t, int64_t>> overflow_offsets;
};

class BertTokenizer {
 public:
  BertTokenizer(Vocab vocab, TokenizerOptions options);

  // vocab.txt plus tokenizer_config.json (do_lower_case, strip_accents, tokenize_chinese_chars,
  // model_max_length) when present.
  static BertTokenizer from_directory(const std::string& dir);
  // Writes vocab.txt, tokenizer_config.json and special_tokens_map.json as HF does.
  void save(const std::string& dir) const;

  std::vector<std::string> tokenize(const std::string& text) const;
  // Tokens with their byte offsets in `text`.
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> tokenize_with_offsets(
      const std::string& text) const;
  std::vector<int64_t> convert_tokens_to_ids(const std::vector<std::string>& tokens) const;

  // [CLS] a [SEP] (b [SEP]); max_length 0 = no limit.
  Encoding encode(const std::string& text, const std::optional<std::string>& text_pair = std::nullopt,
                  int64_t max_length = 0, Truncation truncation = Truncation::kLongestFirst,
                  Padding padding = Padding::kNone) const;

  const Vocab& vocab() const { return vocab_; }
  const TokenizerOptions& options() const { return options_; }

 private:
  Vocab vocab_;
  TokenizerOptions options_;
};

}  // namespace jpqd::text
