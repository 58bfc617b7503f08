// One loaded Model under concurrent load (the long version is bench/load/): four
// client threads and a StreamPool serve a fixed set of requests for about a second per model, with bad
// requests interleaved. Every answer must equal, bit for bit, the answer computed for the same request
// one at a time, with the same OpenMP team size, on the main thread before the load started; every bad
// request must be rejected with InvalidArgument and the good ones around it must keep matching.
//
// Why per team size: float32 GEMMs may split their reductions by thread count (oneDNN's AVX2 kernels do),
// which changes the rounding; INT8 sums are integers and must not depend on the team size at all.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <thread>

#include "common/error.h"
#include "format/random_bert.h"
#include "jpqd/runtime.h"
#include "scratch_dir.h"

namespace jpqd::runtime {
namespace {

// Load duration per model: long enough for thousands of requests on this tiny model, short enough for ctest.
constexpr auto kLoadDuration = std::chrono::milliseconds(1000);
constexpr int kClientThreads = 4;
constexpr int kStreams = 2;
constexpr int kRequests = 24;
constexpr int kMaxTeamSize = 2;  // clients run OpenMP teams of 1..kMaxTeamSize threads
constexpr int kThreadsPerStream = 1;

struct Request {
  int64_t batch = 0, seq_len = 0;
  std::vector<int64_t> ids, mask, types;
  std::vector<std::string> texts;  // non-empty: run_text
  Logits expected[kMaxTeamSize];  // by team size - 1
};

Logits execute(const Model& model, const Request& r) {
  if (!r.texts.empty()) return model.run_text(r.texts);
  return model.run(r.ids, r.mask, r.types, r.batch, r.seq_len);
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

bool bit_identical(const Logits& a, const Logits& b) {
  return a.batch == b.batch && a.seq_len == b.seq_len && same_bits(a.logits, b.logits) &&
         same_bits(a.start_logits, b.start_logits) && same_bits(a.end_logits, b.end_logits);
}

std::vector<Request> make_requests(const ModelInfo& info, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  std::vector<Request> out;
  for (int i = 0; i < kRequests; ++i) {
    Request r;
    if (i % 6 == 5) {
      for (int64_t b = uniform(1, 3); b > 0; --b) r.texts.push_back("tok" + std::to_string(uniform(5, 60)) + " tok7 x");
      out.push_back(std::move(r));
      continue;
    }
    r.batch = uniform(1, 4);
    r.seq_len = uniform(1, info.max_sequence_length);
    for (int64_t k = 0; k < r.batch * r.seq_len; ++k) r.ids.push_back(uniform(0, info.vocab_size - 1));
    if (i % 2 == 0) {
      for (int64_t b = 0; b < r.batch; ++b)
        for (int64_t t = 0, real = uniform(1, r.seq_len); t < r.seq_len; ++t) r.mask.push_back(t < real);
    }
    if (i % 3 == 0) {
      for (int64_t k = 0; k < r.batch * r.seq_len; ++k) r.types.push_back(uniform(0, 1));
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::function<Logits(const Model&)>> make_bad_requests(const ModelInfo& info) {
  const int64_t max = info.max_sequence_length, vocab = info.vocab_size;
  const std::vector<int64_t> eight(8, 1);
  return {
      [=](const Model& m) { return m.run({1, 2, vocab, 3}, {}, {}, 1, 4); },  // id out of range
      [=](const Model& m) { return m.run({1, -1}, {}, {}, 2, 1); },           // negative id
      [=](const Model& m) { return m.run(std::vector<int64_t>(max + 1, 1), {}, {}, 1, max + 1); },  // too long
      [=](const Model& m) { return m.run(std::vector<int64_t>{}, {}, {}, 0, 3); },                  // empty batch
      [=](const Model& m) { return m.run(std::vector<int64_t>{}, {}, {}, 3, 0); },                  // empty sequence
      [=](const Model& m) { return m.run(eight, std::vector<int64_t>(7, 1), {}, 2, 4); },  // mask shape
      [=](const Model& m) { return m.run(eight, {}, std::vector<int64_t>(9, 0), 2, 4); },  // types shape
      [=](const Model& m) { return m.run(eight, std::vector<int64_t>{1, 1, 1, 1, 1, 2, 1, 1}, {}, 2, 4); },
      [=](const Model& m) { return m.run(eight, {}, {}, std::numeric_limits<int64_t>::max() / 2 + 1, 4); },
      [=](const Model& m) { return m.run_text({}); },
  };
}

struct LoadResult {
  int64_t served = 0, rejected = 0, mismatches = 0, unexpected = 0, bad_accepted = 0;
};

LoadResult hammer(const Model& model, const std::vector<Request>& requests) {
  const auto bad = make_bad_requests(model.info());
  std::atomic<int64_t> served{0}, rejected{0}, mismatches{0}, unexpected{0}, bad_accepted{0};
  StreamPool pool(kStreams, kThreadsPerStream);
  const auto deadline = std::chrono::steady_clock::now() + kLoadDuration;
  std::vector<std::thread> clients;
  for (int t = 0; t < kClientThreads; ++t) {
    clients.emplace_back([&, t] {
      const int team = 1 + t % kMaxTeamSize;
      set_thread_count_for_this_thread(team);
      std::mt19937_64 rng(100 + t);
      while (std::chrono::steady_clock::now() < deadline) {
        const bool via_pool = rng() % 2 == 0;
        auto call = [&](std::function<Logits()> f) { return via_pool ? pool.submit(std::move(f)).get() : f(); };
        if (rng() % 6 == 0) {
          const auto& b = bad[rng() % bad.size()];
          try {
            call([&] { return b(model); });
            ++bad_accepted;
          } catch (const InvalidArgument&) {
            ++rejected;
          } catch (...) {
            ++unexpected;
          }
          continue;
        }
        const Request& r = requests[rng() % requests.size()];
        try {
          const Logits got = call([&] { return execute(model, r); });
          const int ran_with = via_pool ? kThreadsPerStream : team;
          ++(bit_identical(got, r.expected[ran_with - 1]) ? served : mismatches);
        } catch (...) {
          ++unexpected;
        }
      }
    });
  }
  for (auto& c : clients) c.join();
  return {served, rejected, mismatches, unexpected, bad_accepted};
}

class Concurrency : public ::testing::TestWithParam<bool> {};

TEST_P(Concurrency, ThreadsAndStreamsMatchSingleThreadedRunsAndRejectBadRequests) {
  const bool int8 = GetParam();
  format::RandomBertOptions o;
  o.hidden_size = 64, o.num_layers = 2, o.num_heads = 4, o.intermediate_size = 128, o.vocab_size = 100;
  o.max_position_embeddings = 24, o.heads_per_layer = {4, 2}, o.ffn_per_layer = {128, 40};
  o.int8 = int8;
  o.task = int8 ? format::TaskType::kSequenceClassification : format::TaskType::kQuestionAnswering;
  o.seed = 7;
  const std::string path = scratch_path(int8 ? "concurrency_test_int8.jpqd" : "concurrency_test_fp32.jpqd");
  format::write_random_bert(path, o);
  const Model model = Model::load(path);

  std::vector<Request> requests = make_requests(model.info(), 42);
  for (int team = 1; team <= kMaxTeamSize; ++team) {
    set_thread_count_for_this_thread(team);
    for (auto& r : requests) r.expected[team - 1] = execute(model, r);
  }
  if (int8) {
    for (const auto& r : requests) EXPECT_TRUE(bit_identical(r.expected[0], r.expected[1])) << "INT8 depends on threads";
  }
  set_thread_count_for_this_thread(1);

  const LoadResult got = hammer(model, requests);
  EXPECT_EQ(got.mismatches, 0);
  EXPECT_EQ(got.unexpected, 0);
  EXPECT_EQ(got.bad_accepted, 0);
  EXPECT_GT(got.served, kRequests);
  EXPECT_GT(got.rejected, 0);
  // After the load, the model still answers as before.
  EXPECT_TRUE(bit_identical(execute(model, requests[0]), requests[0].expected[0]));
}

INSTANTIATE_TEST_SUITE_P(Models, Concurrency, ::testing::Values(true, false),
                         [](const auto& p) { return p.param ? "Int8Classification" : "Fp32QuestionAnswering"; });

// batch * seq_len must be checked before it is computed: this product overflows int64 (undefined
// behaviour, caught by the sanitizer build) and wrapped to a small size that matched the ids.
TEST(ModelRun, RejectsABatchWhoseSizeOverflows) {
  format::RandomBertOptions o;
  o.hidden_size = 16, o.num_layers = 1, o.num_heads = 2, o.intermediate_size = 8, o.vocab_size = 10;
  o.max_position_embeddings = 8;
  const std::string path = scratch_path("concurrency_test_overflow.jpqd");
  format::write_random_bert(path, o);
  const Model model = Model::load(path);
  const std::vector<int64_t> ids(4, 1);
  EXPECT_THROW(model.run(ids, {}, {}, (int64_t{1} << 62) + 1, 4), InvalidArgument);  // wraps to 4
  EXPECT_THROW(model.run(ids, {}, {}, std::numeric_limits<int64_t>::max(), 2), InvalidArgument);
  EXPECT_THROW(model.run(ids.data(), nullptr, nullptr, int64_t{1} << 62, 4), InvalidArgument);
}

}  // namespace
}  // namespace jpqd::runtime
