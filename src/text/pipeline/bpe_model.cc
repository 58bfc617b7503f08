// BPE as tokenizers applies it: a word starts as one symbol per character (unknown characters become
// byte tokens with byte_fallback, else unk, consecutive unks fused with fuse_unk), then the adjacent
// pair with the lowest merge rank is merged, leftmost first, until no pair has a rank.
#include <queue>
#include <unordered_map>

#include "common/error.h"
#include "text/pipeline/models.h"

namespace jpqd::text::pipeline {
namespace {

struct Merge {
  uint32_t rank;
  int64_t new_id;
};

uint64_t pair_key(int64_t a, int64_t b) { return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b); }

std::string byte_token(unsigned char b) {
  static const char* kHex = "0123456789ABCDEF";
  return std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">";
}

class BpeModel : public Model {
 public:
  BpeModel(Vocabulary vocab, const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options,
           const std::string& where)
      : vocab_(std::move(vocab)), options_(std::move(options)) {
    const size_t prefix_length = options_.continuing_subword_prefix ? options_.continuing_subword_prefix->size() : 0;
    const auto id_of = [&](const std::string& token, size_t rank) {
      const auto id = vocab_.find(token);
      JPQD_CHECK(id.has_value(), InvalidArgument, where, ": merge ", rank + 1, " (\"", merges[rank].first, " ",
                 merges[rank].second, "\") names \"", token, "\", which is not in the vocabulary");
      return *id;
    };
    merges_.reserve(merges.size());
    for (size_t rank = 0; rank < merges.size(); ++rank) {
      const auto& [a, b] = merges[rank];
      const int64_t a_id = id_of(a, rank), b_id = id_of(b, rank);
      const std::string merged = a + b.substr(std::min(prefix_length, b.size()));
      merges_[pair_key(a_id, b_id)] = {static_cast<uint32_t>(rank), id_of(merged, rank)};
    }
    if (options_.unk_token) {
      unk_id_ = vocab_.find(*options_.unk_token);
      JPQD_CHECK(unk_id_.has_value(), InvalidArgument, where, ": BPE unk_token \"", *options_.unk_token,
                 "\" is not in the vocabulary");
    }
  }

  void tokenize(const std::string& piece, std::vector<ModelToken>& out) const override {
    if (options_.ignore_merges) {
      if (const auto id = vocab_.find(piece)) {
        out.push_back({*id, piece, 0, piece.size()});
        return;
      }
    }
    std::vector<Symbol> symbols = initial_symbols(piece);
    merge_all(symbols);
    for (const Symbol& s : symbols) {
      if (s.length == 0) continue;
      out.push_back({s.id, *vocab_.token(s.id), s.begin, s.begin + s.length});
    }
  }

  std::optional<int64_t> token_to_id(const std::string& token) const override { return vocab_.find(token); }
  std::optional<std::string> id_to_token(int64_t id) const override { return vocab_.token(id); }
  int64_t vocab_size() const override { return vocab_.size(); }

 private:
  struct Symbol {
    int64_t id;
    size_t begin;
    size_t length;  // 0: merged into its left neighbour
    std::ptrdiff_t prev;
    std::ptrdiff_t next;
  };

  std::vector<Symbol> initial_symbols(const std::string& word) const {
    std::vector<Symbol> symbols;
    const auto add = [&](int64_t id, size_t begin, size_t length) {
      symbols.push_back({id, begin, length, static_cast<std::ptrdiff_t>(symbols.size()) - 1, -1});
    };
    std::optional<std::pair<size_t, size_t>> pending_unk;  // byte range of unknown characters not yet added
    const auto flush_unk = [&] {
      if (pending_unk) add(*unk_id_, pending_unk->first, pending_unk->second - pending_unk->first);
      pending_unk.reset();
    };
    size_t i = 0;
    while (i < word.size()) {
      size_t end = i + 1;
      while (end < word.size() && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) ++end;
      std::string s = word.substr(i, end - i);
      if (i > 0 && options_.continuing_subword_prefix) s = *options_.continuing_subword_prefix + s;
      if (end == word.size() && options_.end_of_word_suffix) s += *options_.end_of_word_suffix;
      if (const auto id = vocab_.find(s)) {
        flush_unk();
        add(*id, i, end - i);
      } else if (!add_byte_fallback(s, i, symbols)) {
        // tokenizers leaves a pending unk in place across byte-fallback tokens; so do we.
        if (unk_id_) {
          if (pending_unk && options_.fuse_unk) {
            pending_unk->second = end;
          } else {
            flush_unk();
            pending_unk = std::make_pair(i, end);
          }
        }
      }
      i = end;
    }
    flush_unk();
    for (size_t k = 0; k + 1 < symbols.size(); ++k) symbols[k].next = static_cast<std::ptrdiff_t>(k + 1);
    return symbols;
  }

  // With byte_fallback, a character out of the vocabulary becomes "<0xXX>" tokens, one per byte of its
  // (prefixed) spelling, each covering one byte; false when some byte token is missing.
  bool add_byte_fallback(const std::string& spelled, size_t begin, std::vector<Symbol>& symbols) const {
    if (!options_.byte_fallback) return false;
    std::vector<int64_t> ids;
    for (const char b : spelled) {
      const auto id = vocab_.find(byte_token(static_cast<unsigned char>(b)));
      if (!id) return false;
      ids.push_back(*id);
    }
    for (const int64_t id : ids) {
      symbols.push_back({id, begin, 1, static_cast<std::ptrdiff_t>(symbols.size()) - 1, -1});
    }
    return true;
  }

  void merge_all(std::vector<Symbol>& symbols) const {
    struct Candidate {
      uint32_t rank;
      size_t pos;
      int64_t new_id;
      bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
    const auto push_pair = [&](size_t left) {
      const std::ptrdiff_t right = symbols[left].next;
      if (right < 0) return;
      const auto it = merges_.find(pair_key(symbols[left].id, symbols[static_cast<size_t>(right)].id));
      if (it != merges_.end()) queue.push({it->second.rank, left, it->second.new_id});
    };
    for (size_t k = 0; k + 1 < symbols.size(); ++k) push_pair(k);
    while (!queue.empty()) {
      const Candidate top = queue.top();
      queue.pop();
      Symbol& left = symbols[top.pos];
      if (left.length == 0 || left.next < 0) continue;
      const size_t right_pos = static_cast<size_t>(left.next);
      Symbol& right = symbols[right_pos];
      // Skip entries made stale by an earlier merge of either symbol.
      const auto it = merges_.find(pair_key(left.id, right.id));
      if (it == merges_.end() || it->second.new_id != top.new_id) continue;
      left.id = top.new_id;
      left.length += right.length;
      left.next = right.next;
      right.length = 0;
      if (left.next >= 0) symbols[static_cast<size_t>(left.next)].prev = static_cast<std::ptrdiff_t>(top.pos);
      if (left.prev >= 0) push_pair(static_cast<size_t>(left.prev));
      push_pair(top.pos);
    }
  }

  Vocabulary vocab_;
  BpeOptions options_;
  std::optional<int64_t> unk_id_;
  std::unordered_map<uint64_t, Merge> merges_;
};

}  // namespace

ModelPtr make_bpe_model(Vocabulary vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                        BpeOptions options, const std::string& where) {
  return std::make_shared<BpeModel>(std::move(vocab), merges, std::move(options), where);
}

}  // namespace jpqd::text::pipeline
