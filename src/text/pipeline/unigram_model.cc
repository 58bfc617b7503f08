// Unigram as tokenizers (and SentencePiece) encode: the best-scoring segmentation by Viterbi, where a
// character no piece starts with costs min_score - 10 as <unk>, and consecutive unknowns fuse into one
// <unk>. Ties keep the segmentation found first (shorter pieces, earlier starts), as tokenizers does.
#include <limits>

#include "common/error.h"
#include "text/pipeline/models.h"
#include "text/token_table.h"

namespace jpqd::text::pipeline {
namespace {

constexpr double kUnknownPenalty = 10.0;

std::string byte_token(unsigned char b) {
  static const char* kHex = "0123456789ABCDEF";
  return std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">";
}

class UnigramModel : public Model {
 public:
  UnigramModel(std::vector<UnigramPiece> pieces, std::optional<int64_t> unk_id, bool byte_fallback,
               const std::string& where)
      : pieces_(std::move(pieces)), unk_id_(unk_id), byte_fallback_(byte_fallback) {
    JPQD_CHECK(!pieces_.empty(), InvalidArgument, where, ": Unigram vocabulary is empty");
    JPQD_CHECK(!unk_id_ || (*unk_id_ >= 0 && *unk_id_ < static_cast<int64_t>(pieces_.size())), InvalidArgument, where,
               ": Unigram unk_id ", unk_id_.value_or(0), " is outside the vocabulary of ", pieces_.size());
    min_score_ = std::numeric_limits<double>::infinity();
    for (size_t id = 0; id < pieces_.size(); ++id) {
      index_[pieces_[id].token] = static_cast<int64_t>(id);  // a repeated piece keeps its last id
      min_score_ = std::min(min_score_, pieces_[id].score);
    }
    std::vector<std::pair<std::string_view, int64_t>> entries;
    for (const auto& [token, id] : index_) {
      if (!token.empty()) entries.emplace_back(token, id);
    }
    table_ = TokenTable(entries);
  }

  void tokenize(const std::string& piece, std::vector<ModelToken>& out) const override {
    size_t offset = 0;
    for (std::string& token : best_segmentation(piece)) {
      const size_t length = token.size();
      const auto it = index_.find(token);
      if (it != index_.end()) {
        out.push_back({it->second, std::move(token), offset, offset + length});
      } else if (!add_byte_fallback(token, offset, out)) {
        JPQD_CHECK(unk_id_.has_value(), InvalidArgument, "Unigram: \"", token,
                   "\" has no piece and the model has no unk_id");
        out.push_back({*unk_id_, std::move(token), offset, offset + length});
      }
      offset += length;
    }
  }

  std::optional<int64_t> token_to_id(const std::string& token) const override {
    const auto it = index_.find(token);
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> id_to_token(int64_t id) const override {
    if (id < 0 || id >= static_cast<int64_t>(pieces_.size())) return std::nullopt;
    return pieces_[static_cast<size_t>(id)].token;
  }
  int64_t vocab_size() const override { return static_cast<int64_t>(pieces_.size()); }

 private:
  bool add_byte_fallback(const std::string& token, size_t offset, std::vector<ModelToken>& out) const {
    if (!byte_fallback_) return false;
    std::vector<ModelToken> bytes;
    for (const char b : token) {
      std::string name = byte_token(static_cast<unsigned char>(b));
      const auto it = index_.find(name);
      if (it == index_.end()) return false;
      bytes.push_back({it->second, std::move(name), offset, offset + token.size()});
    }
    for (ModelToken& t : bytes) out.push_back(std::move(t));
    return true;
  }

  std::vector<std::string> best_segmentation(const std::string& text) const {
    struct Node {
      bool reached = false;
      double score = 0;
      size_t start = 0;
      int64_t id = 0;
    };
    const size_t n = text.size();
    std::vector<Node> best(n + 1);
    best[0].reached = true;
    const double unknown_score = min_score_ - kUnknownPenalty;
    const auto offer = [&](size_t end, size_t start, double score, int64_t id) {
      Node& node = best[end];
      if (!node.reached || score > node.score) node = {true, score, start, id};
    };
    size_t start = 0;
    while (start < n) {
      size_t char_length = 1;
      while (start + char_length < n && (static_cast<unsigned char>(text[start + char_length]) & 0xC0) == 0x80) {
        ++char_length;
      }
      const double base = best[start].score;
      bool has_single_char_piece = false;
      uint32_t hash = TokenTable::kEmptyHash;
      const size_t longest = std::min(n - start, table_.max_key_bytes());
      for (size_t length = 1; length <= longest; ++length) {
        hash = TokenTable::extend_hash(hash, text[start + length - 1]);
        const int64_t id = table_.find(std::string_view(text).substr(start, length), hash);
        if (id < 0) continue;
        offer(start + length, start, base + pieces_[static_cast<size_t>(id)].score, id);
        if (length == char_length) has_single_char_piece = true;
      }
      if (!has_single_char_piece) offer(start + char_length, start, base + unknown_score, unk_id_.value_or(-1));
      start += char_length;
    }
    // Walk back from the end, fusing runs of unknowns.
    std::vector<std::string> tokens;
    std::string unknown_run;
    size_t end = n;
    const auto is_unknown = [&](const Node& node) { return node.id == unk_id_.value_or(-1); };
    while (end > 0) {
      const Node& node = best[end];
      std::string token = text.substr(node.start, end - node.start);
      if (is_unknown(node)) {
        unknown_run.insert(0, token);
      } else {
        if (!unknown_run.empty()) tokens.push_back(std::move(unknown_run));
        unknown_run.clear();
        tokens.push_back(std::move(token));
      }
      end = node.start;
    }
    if (!unknown_run.empty()) tokens.push_back(std::move(unknown_run));
    return {tokens.rbegin(), tokens.rend()};
  }

  std::vector<UnigramPiece> pieces_;
  std::unordered_map<std::string, int64_t> index_;
  TokenTable table_;
  std::optional<int64_t> unk_id_;
  bool byte_fallback_;
  double min_score_ = 0;
};

}  // namespace

ModelPtr make_unigram_model(std::vector<UnigramPiece> pieces, std::optional<int64_t> unk_id, bool byte_fallback,
                            const std::string& where) {
  return std::make_shared<UnigramModel>(std::move(pieces), unk_id, byte_fallback, where);
}

}  // namespace jpqd::text::pipeline
