// WordPiece and WordLevel: the two models that look words up whole or by greedy longest match.
#include <algorithm>

#include "common/error.h"
#include "text/pipeline/models.h"
#include "text/token_table.h"
#include "text/utf8.h"

namespace jpqd::text::pipeline {
namespace {

size_t utf8_char_count(const std::string& s) {
  size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Start of the last UTF-8 character of s[0, end).
size_t last_char_start(const std::string& s, size_t end) {
  size_t k = end - 1;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  return k;
}

class WordPieceModel : public Model {
 public:
  WordPieceModel(Vocabulary vocab, WordPieceOptions options, const std::string& where)
      : vocab_(std::move(vocab)), options_(std::move(options)) {
    const auto unk = vocab_.find(options_.unk_token);
    JPQD_CHECK(unk.has_value(), InvalidArgument, where, ": WordPiece unk_token \"", options_.unk_token,
               "\" is not in the vocabulary");
    unk_id_ = *unk;
    // Continuations are looked up as prefix + text; keyed by the text alone, no candidate needs the
    // prefix glued on, and candidates become string_views of the piece. Entered in id order:
    // vocabularies list frequent tokens first, so those get their home slots and sit together in
    // memory, which saves cache misses on most lookups.
    const std::string& prefix = options_.continuing_subword_prefix;
    std::vector<std::pair<std::string_view, int64_t>> initial, continuation;
    initial.reserve(vocab_.entries().size());
    for (const auto& [token, id] : vocab_.entries()) initial.emplace_back(token, id);
    std::sort(initial.begin(), initial.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    for (const auto& [token, id] : initial) {
      if (token.substr(0, prefix.size()) == prefix) continuation.emplace_back(token.substr(prefix.size()), id);
    }
    initial_ = TokenTable(initial);
    continuation_ = TokenTable(continuation);
  }

  std::optional<std::string> continuing_subword_prefix() const override { return options_.continuing_subword_prefix; }

  // tokenizers' greedy longest match: from each position the longest vocabulary entry, the candidate
  // shortened one character at a time.
  void tokenize(const std::string& piece, std::vector<ModelToken>& out) const override {
    const size_t n = piece.size();
    const auto whole_unknown = [&] { out.push_back({unk_id_, options_.unk_token, 0, n}); };
    // A piece has no more characters than bytes, so short pieces need no count.
    if (static_cast<int64_t>(n) > options_.max_input_chars_per_word &&
        static_cast<int64_t>(utf8_char_count(piece)) > options_.max_input_chars_per_word) {
      return whole_unknown();
    }
    // Enough for any real vocabulary's longest token; longer candidates are hashed one by one.
    constexpr size_t kMaxPrefixHashes = 256;
    uint32_t prefix_hash[kMaxPrefixHashes + 1];
    const std::string_view bytes(piece);
    const size_t first_token = out.size();
    size_t start = 0;
    while (start < n) {
      const TokenTable& table = start == 0 ? initial_ : continuation_;
      size_t end = n;
      while (end > start && end - start > table.max_key_bytes()) end = last_char_start(piece, end);
      const size_t longest = end - start;
      const bool hashed = longest <= kMaxPrefixHashes;
      if (hashed) {
        prefix_hash[0] = TokenTable::kEmptyHash;
        for (size_t k = 0; k < longest; ++k) {
          prefix_hash[k + 1] = TokenTable::extend_hash(prefix_hash[k], bytes[start + k]);
        }
      }
      int64_t id = -1;
      while (end > start) {
        const std::string_view candidate = bytes.substr(start, end - start);
        id = hashed ? table.find(candidate, prefix_hash[end - start]) : table.find(candidate);
        if (id >= 0) break;
        end = last_char_start(piece, end);
      }
      if (id < 0) {
        out.resize(first_token);
        return whole_unknown();
      }
      // Built in place: moving a short string copies it.
      out.push_back({id, std::string(), start, end});
      std::string& value = out.back().value;
      if (start > 0) {
        value.reserve(options_.continuing_subword_prefix.size() + (end - start));
        value = options_.continuing_subword_prefix;
      }
      value.append(bytes.substr(start, end - start));
      start = end;
    }
  }

  std::optional<int64_t> token_to_id(const std::string& token) const override { return vocab_.find(token); }
  std::optional<std::string> id_to_token(int64_t id) const override { return vocab_.token(id); }
  int64_t vocab_size() const override { return vocab_.size(); }

 private:
  Vocabulary vocab_;
  WordPieceOptions options_;
  int64_t unk_id_ = 0;
  TokenTable initial_, continuation_;
};

class WordLevelModel : public Model {
 public:
  WordLevelModel(Vocabulary vocab, std::string unk_token) : vocab_(std::move(vocab)), unk_token_(std::move(unk_token)) {}

  void tokenize(const std::string& piece, std::vector<ModelToken>& out) const override {
    if (const auto id = vocab_.find(piece)) {
      out.push_back({*id, piece, 0, piece.size()});
      return;
    }
    const auto unk = vocab_.find(unk_token_);
    JPQD_CHECK(unk.has_value(), InvalidArgument, "WordLevel: \"", piece, "\" is not in the vocabulary and unk_token \"",
               unk_token_, "\" is not either");
    out.push_back({*unk, unk_token_, 0, piece.size()});
  }

  std::optional<int64_t> token_to_id(const std::string& token) const override { return vocab_.find(token); }
  std::optional<std::string> id_to_token(int64_t id) const override { return vocab_.token(id); }
  int64_t vocab_size() const override { return vocab_.size(); }

 private:
  Vocabulary vocab_;
  std::string unk_token_;
};

}  // namespace

ModelPtr make_wordpiece_model(Vocabulary vocab, WordPieceOptions options, const std::string& where) {
  JPQD_CHECK(options.max_input_chars_per_word > 0, InvalidArgument, where,
             ": WordPiece max_input_chars_per_word must be positive, got ", options.max_input_chars_per_word);
  return std::make_shared<WordPieceModel>(std::move(vocab), std::move(options), where);
}

ModelPtr make_wordlevel_model(Vocabulary vocab, const std::string& unk_token, const std::string&) {
  return std::make_shared<WordLevelModel>(std::move(vocab), unk_token);
}

}  // namespace jpqd::text::pipeline
