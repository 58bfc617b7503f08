// Hugging Face BertTokenizer behaviour (the slow Python tokenizer is the reference), without Torch:
//  1. special tokens ([CLS] [SEP] [PAD] [UNK] [MASK]) are cut out first, case-sensitively, wherever
//     they occur, and never split or lower-cased;
//  2. with do_lower_case, the rest is lower-cased character by character (Python's str.lower);
//  3. cleaning drops NUL, U+FFFD and every category C* character except \t \n \r, and maps
//     whitespace (\t \n \r, Zs) to a space; CJK ideographs get spaces around them; NFC;
//  4. whitespace split; each word is lower-cased again and accent-stripped (NFD, drop Mn) when
//     do_lower_case (or strip_accents says so), then split at every punctuation character;
//  5. greedy longest-match-first WordPiece with "##" continuations; a word longer than
//     max_input_chars_per_word code points, or one that cannot be covered, becomes one [UNK].
// Input text is UTF-8; bytes that are not valid UTF-8 are treated as U+FFFD and so dropped by step 3.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "text/basic_tokenizer.h"
#include "text/encoding.h"
#include "text/vocab.h"
#include "text/wordpiece.h"

namespace jpqd::text {

struct TokenizerOptions {
  bool do_lower_case = true;
  std::optional<bool> strip_accents;  // nullopt: follow do_lower_case, as HF does
  bool tokenize_chinese_chars = true;
  int max_input_chars_per_word = 100;
  int64_t model_max_length = 512;  // informational (saved and loaded); encode() limits by max_length
};

class BertTokenizer {
 public:
  // Throws InvalidArgument for a non-positive max_input_chars_per_word or model_max_length.
  BertTokenizer(Vocab vocab, TokenizerOptions options);

  // `dir`/vocab.txt (required: IoError when missing) plus `dir`/tokenizer_config.json when present
  // (do_lower_case, strip_accents, tokenize_chinese_chars, model_max_length or legacy max_len; HF's
  // many other keys are ignored). Settings we cannot honour (do_basic_tokenize=false, never_split,
  // custom or added special tokens) are rejected with InvalidArgument naming the file. `dir` may also
  // be the path of a vocab.txt.
  static BertTokenizer from_directory(const std::string& dir);
  // Writes vocab.txt, tokenizer_config.json and special_tokens_map.json as HF does, each atomically.
  void save(const std::string& dir) const;

  std::vector<std::string> tokenize(const std::string& text) const;
  // Tokens with their byte offsets in `text`.
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> tokenize_with_offsets(
      const std::string& text) const;
  std::vector<int64_t> convert_tokens_to_ids(const std::vector<std::string>& tokens) const;

  // [CLS] a [SEP] (b [SEP]), token types 0 for [CLS] a [SEP] and 1 for b [SEP]. max_length counts the
  // special tokens; 0 = no limit (and no truncation). Where the slow HF tokenizer would only log an
  // error and return an over-long encoding (the chosen text is too short to cut, only_second without a
  // pair, max_length below the special-token count), this throws InvalidArgument, as the fast
  // tokenizer does. Padding::kMaxLength needs max_length > 0.
  Encoding encode(const std::string& text, const std::optional<std::string>& text_pair = std::nullopt,
                  int64_t max_length = 0, Truncation truncation = Truncation::kLongestFirst,
                  Padding padding = Padding::kNone) const;

  const Vocab& vocab() const { return vocab_; }
  const TokenizerOptions& options() const { return options_; }

 private:
  std::vector<WordPiece> to_pieces(const std::string& text) const;

  Vocab vocab_;
  TokenizerOptions options_;
  BasicTokenizer basic_;
  // Shared between copies: its tables are immutable and take a while to build.
  std::shared_ptr<const WordPieceTokenizer> wordpiece_;
};

}  // namespace jpqd::text
