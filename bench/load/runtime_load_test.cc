// Load test of the runtime: one loaded Model hammered by many client threads and by a
// StreamPool for minutes. Every answer must be bit-identical to the single-threaded answer to the same
// request computed before the load starts; bad requests interleaved with good ones must be rejected
// with jpqd::InvalidArgument while the rest keep being served. Peak and current RSS are printed at the
// start and at the end (run it under ASan for leaks: scripts/load_test.sh).
//
//   runtime_load_test --model m.jpqd --threads 4 --duration_s 180 --seq_len 64
//   runtime_load_test --make_random m.jpqd --shape mini --int8 1   # writes a random model, then runs
//
// Client threads are replaced every --thread_lifetime_s seconds so thread-local state (workspaces,
// oneDNN streams, OpenMP pools) is created and destroyed under load too. Exit code: 0 when every
// good request matched and every bad one was rejected; 1 otherwise; 2 for a bad command line.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "format/random_bert.h"
#include "jpqd/runtime.h"
#include "load_requests.h"

namespace {

using jpqd::runtime::Logits;
using jpqd::runtime::Model;
using Clock = std::chrono::steady_clock;
using namespace jpqd::load;

struct Options {
  std::string model, make_random, shape = "mini";
  bool int8 = true, qa = false;
  int threads = 4, streams = 2, threads_per_stream = 1, client_omp_threads = 1;
  double duration_s = 60, thread_lifetime_s = 15, report_s = 30;
  int64_t seq_len = 64, requests = 64;
  uint64_t seed = 1234;
};

Options parse(int argc, char** argv) {
  Options o;
  std::map<std::string, std::string> kv;
  for (int i = 1; i < argc; ++i) {
    std::string key = argv[i];
    JPQD_CHECK(key.rfind("--", 0) == 0 && i + 1 < argc, jpqd::InvalidArgument, "expected --flag value, got ", key);
    kv[key.substr(2)] = argv[++i];
  }
  auto take = [&](const char* k, auto& field) {
    auto it = kv.find(k);
    if (it == kv.end()) return;
    std::istringstream in(it->second);
    in >> field;
    JPQD_CHECK(!in.fail() && in.eof(), jpqd::InvalidArgument, "--", k, ": bad value ", it->second);
    kv.erase(it);
  };
  take("model", o.model), take("make_random", o.make_random), take("shape", o.shape), take("int8", o.int8);
  take("qa", o.qa), take("threads", o.threads), take("streams", o.streams);
  take("threads_per_stream", o.threads_per_stream), take("client_omp_threads", o.client_omp_threads);
  take("duration_s", o.duration_s), take("thread_lifetime_s", o.thread_lifetime_s), take("report_s", o.report_s);
  take("seq_len", o.seq_len), take("requests", o.requests), take("seed", o.seed);
  JPQD_CHECK(kv.empty(), jpqd::InvalidArgument, "unknown flag --", kv.empty() ? "" : kv.begin()->first);
  if (o.model.empty()) o.model = o.make_random;
  JPQD_CHECK(!o.model.empty(), jpqd::InvalidArgument, "--model (or --make_random) is required");
  JPQD_CHECK(o.threads >= 1 && o.streams >= 0 && o.threads_per_stream >= 1 && o.client_omp_threads >= 1,
             jpqd::InvalidArgument, "--threads, --threads_per_stream, --client_omp_threads >= 1, --streams >= 0");
  JPQD_CHECK(o.duration_s > 0 && o.thread_lifetime_s > 0 && o.seq_len >= 1 && o.requests >= 1,
             jpqd::InvalidArgument, "--duration_s, --thread_lifetime_s, --seq_len, --requests must be positive");
  return o;
}

void write_random_model(const Options& o) {
  jpqd::format::RandomBertOptions r;
  r.int8 = o.int8;
  r.task = o.qa ? jpqd::format::TaskType::kQuestionAnswering : jpqd::format::TaskType::kSequenceClassification;
  r.seed = o.seed;
  if (o.shape == "mini") {  // BERT-mini shape with pruned heads and FFN rows, a smaller vocabulary
    r.hidden_size = 256, r.num_layers = 4, r.num_heads = 4, r.intermediate_size = 1024, r.vocab_size = 8000;
    r.max_position_embeddings = 128, r.heads_per_layer = {4, 2, 3, 1}, r.ffn_per_layer = {1024, 700, 512, 300};
  } else if (o.shape == "tiny") {
    r.hidden_size = 64, r.num_layers = 2, r.num_heads = 4, r.intermediate_size = 128, r.vocab_size = 500;
    r.max_position_embeddings = 64, r.heads_per_layer = {4, 2}, r.ffn_per_layer = {128, 0};
  } else {
    JPQD_CHECK(o.shape == "base", jpqd::InvalidArgument, "--shape: tiny, mini or base, got ", o.shape);
  }
  jpqd::format::write_random_bert(o.make_random, r);
}

struct Rss {
  long rss_kb = -1, hwm_kb = -1;
};

Rss read_rss() {
  Rss r;
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) r.rss_kb = std::stol(line.substr(6));
    if (line.rfind("VmHWM:", 0) == 0) r.hwm_kb = std::stol(line.substr(6));
  }
  return r;
}

struct Counters {
  std::atomic<uint64_t> served{0}, served_direct{0}, served_pool{0}, served_text{0}, sequences{0};
  std::atomic<uint64_t> rejected{0}, mismatches{0}, unexpected{0}, bad_accepted{0};
};

class LoadRunner {
 public:
  LoadRunner(const Model& model, const std::vector<Request>& good, const std::vector<BadRequest>& bad,
             jpqd::runtime::StreamPool* pool, Counters& c)
      : model_(model), good_(good), bad_(bad), pool_(pool), c_(c) {}

  void client(uint64_t seed, Clock::time_point deadline, int omp_threads) {
    jpqd::runtime::set_thread_count_for_this_thread(omp_threads);
    std::mt19937_64 rng(seed);
    while (Clock::now() < deadline) {
      const bool via_pool = pool_ != nullptr && rng() % 2 == 0;
      if (rng() % 8 == 0) {
        serve_bad(bad_[rng() % bad_.size()], via_pool);
      } else {
        serve_good(good_[rng() % good_.size()], via_pool);
      }
    }
  }

 private:
  template <typename F>
  Logits call(F&& f, bool via_pool) {
    if (!via_pool) return f();
    return pool_->submit(std::forward<F>(f)).get();  // exceptions travel through the future
  }

  void serve_good(const Request& r, bool via_pool) {
    try {
      const Logits out = call([&] { return execute(model_, r); }, via_pool);
      if (!bit_identical(out, r.expected)) {
        if (c_.mismatches++ < kMaxReports) report("MISMATCH on request " + r.name + ": " + describe_difference(out, r.expected));
        return;
      }
      ++c_.served;
      ++(via_pool ? c_.served_pool : c_.served_direct);
      if (r.is_text()) ++c_.served_text;
      c_.sequences += r.batch();
    } catch (const std::exception& e) {
      if (c_.unexpected++ < kMaxReports) report("UNEXPECTED exception on good request " + r.name + ": " + e.what());
    }
  }

  void serve_bad(const BadRequest& b, bool via_pool) {
    try {
      call([&] { return b.run(model_); }, via_pool);
      if (c_.bad_accepted++ < kMaxReports) report("BAD REQUEST ACCEPTED: " + b.name);
    } catch (const jpqd::InvalidArgument&) {
      ++c_.rejected;
    } catch (const std::exception& e) {
      if (c_.unexpected++ < kMaxReports) report("UNEXPECTED exception type on bad request " + b.name + ": " + e.what());
    }
  }

  void report(const std::string& s) {
    std::lock_guard<std::mutex> lock(report_mutex_);
    std::cerr << s << "\n";
  }

  static constexpr uint64_t kMaxReports = 20;
  const Model& model_;
  const std::vector<Request>& good_;
  const std::vector<BadRequest>& bad_;
  jpqd::runtime::StreamPool* pool_;
  Counters& c_;
  std::mutex report_mutex_;
};

int run(const Options& o) {
  if (!o.make_random.empty()) write_random_model(o);
  const Rss at_start = read_rss();
  const Model model = Model::load(o.model);
  const auto& info = model.info();
  const int64_t seq_len = std::min(o.seq_len, info.max_sequence_length);
  std::cout << "model: " << o.model << " (" << (info.int8 ? "int8" : "fp32") << ", "
            << (info.task == jpqd::runtime::Task::kQuestionAnswering ? "qa" : "cls") << ", hidden "
            << info.hidden_size << ", layers " << info.num_layers << ", vocab " << info.vocab_size << ", max_len "
            << info.max_sequence_length << "), isa " << jpqd::runtime::effective_isa() << "\n";

  // References: one request at a time on this thread with one OpenMP thread.
  jpqd::runtime::set_thread_count_for_this_thread(1);
  std::vector<Request> good = make_requests(info, o.requests, seq_len, o.seed);
  for (auto& r : good) r.expected = execute(model, r);
  const std::vector<BadRequest> bad = make_bad_requests(info);
  const Rss after_reference = read_rss();
  std::cout << "requests: " << good.size() << " good (batch 1..4, length 1.." << seq_len << ", "
            << std::count_if(good.begin(), good.end(), [](const Request& r) { return r.is_text(); })
            << " as text), " << bad.size() << " kinds of bad request\n";
  std::cout << "load: " << o.threads << " client threads x " << o.client_omp_threads << " OpenMP threads, "
            << o.streams << " streams x " << o.threads_per_stream << " threads, " << o.duration_s << " s\n"
            << std::flush;

  Counters c;
  std::unique_ptr<jpqd::runtime::StreamPool> pool;
  if (o.streams > 0) pool = std::make_unique<jpqd::runtime::StreamPool>(o.streams, o.threads_per_stream);
  LoadRunner runner(model, good, bad, pool.get(), c);
  const auto begin = Clock::now();
  const auto end = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  auto next_report = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.report_s));
  Rss after_first_generation;
  int generation = 0;
  uint64_t thread_seed = o.seed * 7919;
  while (Clock::now() < end) {
    const auto deadline =
        std::min(end, Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(o.thread_lifetime_s)));
    std::vector<std::thread> clients;
    for (int t = 0; t < o.threads; ++t)
      clients.emplace_back([&, s = ++thread_seed] { runner.client(s, deadline, o.client_omp_threads); });
    while (Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (Clock::now() >= next_report) {
        const Rss r = read_rss();
        const double t = std::chrono::duration<double>(Clock::now() - begin).count();
        std::cout << "  t=" << static_cast<int>(t) << "s served " << c.served << " rejected " << c.rejected
                  << " mismatches " << c.mismatches << " rss_kb " << r.rss_kb << " peak_rss_kb " << r.hwm_kb << "\n"
                  << std::flush;
        next_report += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.report_s));
      }
    }
    for (auto& t : clients) t.join();
    if (generation++ == 0) after_first_generation = read_rss();
  }
  pool.reset();  // drains and joins the streams
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  const Rss at_end = read_rss();

  std::cout << "duration_s: " << elapsed << "\n"
            << "client_generations: " << generation << "\n"
            << "requests_served: " << c.served << " (direct " << c.served_direct << ", stream pool "
            << c.served_pool << ", text " << c.served_text << ", " << c.sequences << " sequences, "
            << static_cast<double>(c.served) / elapsed << " req/s)\n"
            << "bad_requests_rejected: " << c.rejected << "\n"
            << "bad_requests_accepted: " << c.bad_accepted << "\n"
            << "mismatches: " << c.mismatches << "\n"
            << "unexpected_exceptions: " << c.unexpected << "\n"
            << "rss_kb: start " << at_start.rss_kb << ", after_reference " << after_reference.rss_kb
            << ", after_first_generation " << after_first_generation.rss_kb << ", end " << at_end.rss_kb << "\n"
            << "peak_rss_kb: start " << at_start.hwm_kb << ", after_reference " << after_reference.hwm_kb
            << ", after_first_generation " << after_first_generation.hwm_kb << ", end " << at_end.hwm_kb << "\n";
  const bool ok = c.mismatches == 0 && c.unexpected == 0 && c.bad_accepted == 0 && c.served > 0 && c.rejected > 0;
  std::cout << "result: " << (ok ? "PASS" : "FAIL") << "\n";
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parse(argc, argv);
  } catch (const jpqd::Error& e) {
    std::cerr << "runtime_load_test: " << e.what() << "\n";
    return 2;
  }
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::cerr << "runtime_load_test: " << e.what() << "\n";
    return 1;
  }
}
