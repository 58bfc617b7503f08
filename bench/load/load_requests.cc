#include "load_requests.h"

#include <cstring>
#include <limits>
#include <random>

#include "common/error.h"

namespace jpqd::load {

using runtime::Logits;
using runtime::Model;

std::vector<Request> make_requests(const runtime::ModelInfo& info, int64_t count, int64_t max_len, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  static const char* const kWords[] = {"the", "movie", "was", "great", "not", "bad", "a", "plot", "é", "ok"};
  std::vector<Request> out;
  for (int64_t i = 0; i < count; ++i) {
    Request r;
    r.name = "#" + std::to_string(i);
    if (i % 8 == 7) {
      const int64_t batch = uniform(1, 4);
      for (int64_t b = 0; b < batch; ++b) {
        auto sentence = [&] {
          std::string s;
          for (int64_t w = uniform(0, max_len); w > 0; --w)
            s += (uniform(0, 1) ? std::string(kWords[uniform(0, 9)]) : "tok" + std::to_string(uniform(5, 999))) + " ";
          return s;
        };
        r.texts.push_back(sentence());
        if (i % 16 == 15) r.pairs.push_back(sentence());
      }
      r.seq_len = max_len;  // the limit passed to run_text
      r.name += " (text)";
      out.push_back(std::move(r));
      continue;
    }
    r.batch_size = uniform(1, 4);
    r.seq_len = uniform(1, max_len);
    const int64_t n = r.batch_size * r.seq_len;
    for (int64_t k = 0; k < n; ++k) r.ids.push_back(uniform(0, info.vocab_size - 1));
    if (i % 5 != 0) {  // padded tails of random length, at least one real token per row
      for (int64_t b = 0; b < r.batch_size; ++b) {
        const int64_t real = uniform(1, r.seq_len);
        for (int64_t t = 0; t < r.seq_len; ++t) r.mask.push_back(t < real ? 1 : 0);
      }
    }
    if (i % 3 != 0) {  // a second segment starting at a random position
      for (int64_t b = 0; b < r.batch_size; ++b) {
        const int64_t split = uniform(0, r.seq_len);
        for (int64_t t = 0; t < r.seq_len; ++t) r.types.push_back(t < split ? 0 : std::min<int64_t>(1, info.type_vocab_size - 1));
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<BadRequest> make_bad_requests(const runtime::ModelInfo& info) {
  const int64_t max = info.max_sequence_length, vocab = info.vocab_size;
  auto ids = [](int64_t n) { return std::vector<int64_t>(n, 1); };
  std::vector<BadRequest> bad;
  auto add = [&](std::string name, std::function<Logits(const Model&)> f) { bad.push_back({std::move(name), std::move(f)}); };
  add("id equal to vocab_size", [=](const Model& m) {
    auto v = ids(2 * 8);
    v[13] = vocab;
    return m.run(v, {}, {}, 2, 8);
  });
  add("negative id", [=](const Model& m) {
    auto v = ids(5);
    v[0] = -1;
    return m.run(v, {}, {}, 1, 5);
  });
  add("huge id", [=](const Model& m) {
    auto v = ids(3);
    v[2] = std::numeric_limits<int64_t>::max();
    return m.run(v, {}, {}, 1, 3);
  });
  add("sequence one past max_position_embeddings", [=](const Model& m) { return m.run(ids(max + 1), {}, {}, 1, max + 1); });
  add("empty batch", [=](const Model& m) { return m.run(std::vector<int64_t>{}, {}, {}, 0, 4); });
  add("empty sequence", [=](const Model& m) { return m.run(std::vector<int64_t>{}, {}, {}, 2, 0); });
  add("negative batch", [=](const Model& m) { return m.run(ids(4), {}, {}, -1, -4); });
  add("batch x seq_len overflowing int64", [=](const Model& m) {
    return m.run(ids(4), {}, {}, std::numeric_limits<int64_t>::max() / 2 + 1, 4);
  });
  add("null input_ids", [=](const Model& m) { return m.run(nullptr, nullptr, nullptr, 1, 4); });
  add("input_ids shorter than batch x seq_len", [=](const Model& m) { return m.run(ids(7), {}, {}, 2, 4); });
  add("attention_mask of the wrong shape", [=](const Model& m) {
    return m.run(ids(8), std::vector<int64_t>(9, 1), {}, 2, 4);
  });
  add("attention_mask value 2", [=](const Model& m) {
    std::vector<int64_t> mask(8, 1);
    mask[6] = 2;
    return m.run(ids(8), mask, {}, 2, 4);
  });
  add("token_type_ids of the wrong shape", [=](const Model& m) {
    return m.run(ids(8), {}, std::vector<int64_t>(7, 0), 2, 4);
  });
  add("token type outside type_vocab_size", [=](const Model& m) {
    std::vector<int64_t> types(8, 0);
    types[3] = info.type_vocab_size;
    return m.run(ids(8), {}, types, 2, 4);
  });
  add("empty text batch", [=](const Model& m) { return m.run_text({}); });
  add("text pairs for a different batch", [=](const Model& m) { return m.run_text({"a", "b"}, {"c"}); });
  add("text max_length above the model's", [=](const Model& m) { return m.run_text({"a b c"}, {}, max + 1); });
  return bad;
}

Logits execute(const Model& model, const Request& r) {
  if (r.is_text()) return model.run_text(r.texts, r.pairs, r.seq_len);
  return model.run(r.ids, r.mask, r.types, r.batch_size, r.seq_len);
}

namespace {

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

}  // namespace

bool bit_identical(const Logits& a, const Logits& b) {
  return a.task == b.task && a.batch == b.batch && a.seq_len == b.seq_len && a.num_labels == b.num_labels &&
         same_bits(a.logits, b.logits) && same_bits(a.start_logits, b.start_logits) &&
         same_bits(a.end_logits, b.end_logits);
}

std::string describe_difference(const Logits& got, const Logits& want) {
  if (got.batch != want.batch || got.seq_len != want.seq_len || got.logits.size() != want.logits.size() ||
      got.start_logits.size() != want.start_logits.size())
    return str_cat("shape ", got.batch, "x", got.seq_len, " vs ", want.batch, "x", want.seq_len);
  for (auto field : {&Logits::logits, &Logits::start_logits, &Logits::end_logits}) {
    const auto &g = got.*field, &w = want.*field;
    for (size_t i = 0; i < g.size(); ++i)
      if (std::memcmp(&g[i], &w[i], sizeof(float)) != 0)
        return str_cat("value ", i, ": ", g[i], " vs reference ", w[i]);
  }
  return "task or label count differs";
}

}  // namespace jpqd::load
