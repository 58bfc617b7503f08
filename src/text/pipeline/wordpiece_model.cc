// WordPiece and WordLevel: the two models that look words up whole or by greedy longest match.
#include "common/error.h"
#include "text/pipeline/models.h"
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
  }

  void tokenize(const std::string& piece, std::vector<ModelToken>& out) const override {
    const auto whole_unknown = [&] { out.push_back({unk_id_, options_.unk_token, 0, piece.size()}); };
    if (static_cast<int64_t>(utf8_char_count(piece)) > options_.max_input_chars_per_word) return whole_unknown();
    const size_t first_token = out.size();
    size_t start = 0;
    std::string candidate;
    while (start < piece.size()) {
      size_t end = piece.size();
      std::optional<int64_t> id;
      while (start < end) {
        candidate = start > 0 ? options_.continuing_subword_prefix : std::string();
        candidate.append(piece, start, end - start);
        if ((id = vocab_.find(candidate))) break;
        end = last_char_start(piece, end);
      }
      if (!id) {
        out.resize(first_token);
        return whole_unknown();
      }
      out.push_back({*id, candidate, start, end});
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
