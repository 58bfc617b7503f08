// BPE as tokenizers applies it: a word starts as one symbol per character (unknown characters become
// byte tokens with byte_fallback, else unk, consecutive unks fused with fuse_unk), then the adjacent
// pair with the lowest merge rank is merged, leftmost first, until no pair has a rank.
#include <algorithm>
#include <queue>
#include <string_view>

#include "common/error.h"
#include "text/pipeline/models.h"
#include "text/token_table.h"

namespace jpqd::text::pipeline {
namespace {

struct Merge {
  uint32_t rank;
  int32_t new_id;  // vocabulary ids are below 2^31; 32 bits keep a merge table slot at 16 bytes
};

uint64_t pair_key(int64_t a, int64_t b) { return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b); }

// The merges by pair of ids, open-addressed: merging looks pairs up in its inner loop, and
// std::unordered_map's identity hash, prime modulus and one node per entry made that a quarter of the
// time of encoding with GPT-2's BPE.
class MergeTable {
 public:
  void reserve(size_t n) {
    size_t capacity = 16;
    while (capacity < 2 * n) capacity *= 2;
    slots_.assign(capacity, Slot{});
    shift_ = 64;
    for (size_t c = capacity; c > 1; c /= 2) --shift_;
  }
  // A pair listed twice keeps its last merge, as a map assignment would.
  void set(uint64_t key, Merge merge) {
    for (size_t i = index(key);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].key == kEmpty || slots_[i].key == key) {
        slots_[i] = {key, merge};
        return;
      }
    }
  }
  const Merge* find(uint64_t key) const {
    for (size_t i = index(key);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].key == key) return &slots_[i].merge;
      if (slots_[i].key == kEmpty) return nullptr;
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t{0};  // ids are below 2^31, so no pair has this key
  struct Slot {
    uint64_t key = kEmpty;
    Merge merge{};
  };
  size_t index(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_); }

  std::vector<Slot> slots_;
  int shift_ = 64;
};

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
      merges_.set(pair_key(a_id, b_id), {static_cast<uint32_t>(rank), static_cast<int32_t>(id_of(merged, rank))});
    }
    // Tokens by id for the output, and by text without a std::string per lookup.
    std::vector<std::pair<std::string_view, int64_t>> entries;
    int64_t max_id = -1;
    for (const auto& [token, id] : vocab_.entries()) {
      entries.emplace_back(token, id);
      max_id = std::max(max_id, id);
    }
    table_ = TokenTable(entries);
    // Dense ids only: a sparse vocabulary keeps the map (one id near 2^31 must not cost gigabytes).
    if (max_id < 4 * static_cast<int64_t>(entries.size()) + 1024) {
      token_of_id_.resize(static_cast<size_t>(max_id + 1));
      for (const auto& [token, id] : entries) token_of_id_[static_cast<size_t>(id)] = token;
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
      const auto id = static_cast<size_t>(s.id);
      out.push_back({s.id, id < token_of_id_.size() ? token_of_id_[id] : *vocab_.token(s.id), s.begin,
                     s.begin + s.length});
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
    std::string spelled;  // a character with the prefix or suffix its position gives it
    size_t i = 0;
    while (i < word.size()) {
      size_t end = i + 1;
      while (end < word.size() && (static_cast<unsigned char>(word[end]) & 0xC0) == 0x80) ++end;
      const bool prefixed = i > 0 && options_.continuing_subword_prefix;
      const bool suffixed = end == word.size() && options_.end_of_word_suffix;
      std::string_view s = std::string_view(word).substr(i, end - i);
      if (prefixed || suffixed) {
        spelled.assign(prefixed ? *options_.continuing_subword_prefix : "").append(s);
        if (suffixed) spelled += *options_.end_of_word_suffix;
        s = spelled;
      }
      if (const int64_t id = table_.find(s); id >= 0) {
        flush_unk();
        add(id, i, end - i);
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
  bool add_byte_fallback(std::string_view spelled, size_t begin, std::vector<Symbol>& symbols) const {
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
      const Merge* merge = merges_.find(pair_key(symbols[left].id, symbols[static_cast<size_t>(right)].id));
      if (merge) queue.push({merge->rank, left, merge->new_id});
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
      const Merge* merge = merges_.find(pair_key(left.id, right.id));
      if (merge == nullptr || merge->new_id != top.new_id) continue;
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
  MergeTable merges_;
  TokenTable table_;
  std::vector<std::string> token_of_id_;  // empty for sparse ids
};

}  // namespace

ModelPtr make_bpe_model(Vocabulary vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                        BpeOptions options, const std::string& where) {
  return std::make_shared<BpeModel>(std::move(vocab), merges, std::move(options), where);
}

}  // namespace jpqd::text::pipeline
