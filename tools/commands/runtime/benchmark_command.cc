// jpqd benchmark: throughput and latency of a model.jpqd on jpqd's runtime, in the manner of OpenVINO's
// benchmark_app (-m, -hint, -nstreams, -b, -t, -niter): warm-up, then every stream runs requests back to back
// on its own threads until the time or iteration budget is spent. The clock starts once every stream has
// finished its warm-up, so warm-up requests count neither toward the duration, the -t budget nor the latencies.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <system_error>
#include <thread>

#include <jpqd/runtime.h>

#include "commands/command.h"
#include "commands/runtime/flag_checks.h"
#include "commands/runtime/text_inputs.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/json_util.h"
#include "format/model_file.h"
#include "format/model_metadata.h"
#include "format/model_tokenizer.h"

namespace jpqd::cli {

namespace {

struct BenchmarkFlags {
  std::string model;
  std::string hint = "throughput";
  int nstreams = 0;
  int threads = 0;
  int64_t batch = 1;
  int64_t seq_len = 128;
  double seconds = 0;
  int64_t niter = 0;
  int64_t warmup = 2;
  std::string json_path;
  std::string csv_path;
  std::string input;
};

// One request's inputs, row-major [batch, seq_len].
struct Request {
  std::vector<int64_t> ids, mask, types;
  int64_t seq_len = 0;
};

// Without -i: one request of random ids, every row --seq_len long (benchmark_app's random fill). With -i: the
// file's texts through the tokenizer the model carries (as training read them), --seq_len at most, -b per
// request, each request padded to its longest row; requests take the batches in turn.
std::vector<Request> make_requests(const BenchmarkFlags& f, const runtime::ModelInfo& info) {
  if (f.input.empty()) {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<int64_t> token(std::min<int64_t>(1000, info.vocab_size - 1), info.vocab_size - 1);
    Request r;
    r.seq_len = f.seq_len;
    r.ids.resize(static_cast<size_t>(f.batch * f.seq_len));
    for (auto& id : r.ids) id = token(rng);
    r.mask.assign(r.ids.size(), 1);
    r.types.assign(r.ids.size(), 0);
    return {r};
  }
  const std::vector<TextInput> texts = read_text_inputs(f.input);
  JPQD_CHECK(!texts.empty(), InvalidArgument, "-i ", f.input, ": no text in the file");
  const format::ModelFile file = format::ModelFile::open(f.model);
  const text::Tokenizer tokenizer =
      format::model_tokenizer(file, format::ModelMetadata::from_json(file.metadata(), f.model));
  std::vector<Request> requests;
  for (size_t begin = 0; begin < texts.size(); begin += static_cast<size_t>(f.batch)) {
    std::vector<text::Encoding> rows;
    Request r;
    for (size_t i = begin; i < begin + static_cast<size_t>(f.batch); ++i) {
      const TextInput& t = texts[i % texts.size()];  // the last batch wraps around to stay -b rows
      rows.push_back(tokenizer.encode(t.first, t.second, f.seq_len));
      r.seq_len = std::max<int64_t>(r.seq_len, static_cast<int64_t>(rows.back().input_ids.size()));
    }
    const auto n = static_cast<size_t>(f.batch * r.seq_len);
    r.ids.assign(n, tokenizer.pad_id());
    r.mask.assign(n, 0);
    r.types.assign(n, 0);
    for (size_t row = 0; row < rows.size(); ++row) {
      for (size_t j = 0; j < rows[row].input_ids.size(); ++j) {
        const size_t at = row * static_cast<size_t>(r.seq_len) + j;
        r.ids[at] = rows[row].input_ids[j];
        r.mask[at] = 1;
        r.types[at] = rows[row].token_type_ids[j];
      }
    }
    requests.push_back(std::move(r));
  }
  return requests;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double pos = p / 100.0 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

using Clock = std::chrono::steady_clock;

// Every stream waits here after its warm-up; the last one to arrive starts the clock, as benchmark_app
// times only the steady state. abandon() (a stream failed in warm-up, or could not be started) releases
// the waiters, which would otherwise wait forever for a stream that never arrives.
class StartLine {
 public:
  explicit StartLine(int streams) : waiting_for_(streams) {}

  // Returns the start time, or nullopt when the run was abandoned before every stream arrived.
  std::optional<Clock::time_point> arrive_and_wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (--waiting_for_ == 0 && !abandoned_) {
      start_ = Clock::now();
      released_.notify_all();
    }
    released_.wait(lock, [&] { return waiting_for_ <= 0 || abandoned_; });
    if (abandoned_) return std::nullopt;
    return start_;
  }

  void abandon() {
    std::lock_guard<std::mutex> lock(mutex_);
    abandoned_ = true;
    released_.notify_all();
  }

  Clock::time_point start() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return start_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable released_;
  int waiting_for_;
  bool abandoned_ = false;
  Clock::time_point start_{};
};

void run_benchmark(const BenchmarkFlags& f) {
  JPQD_CHECK(f.hint == "throughput" || f.hint == "latency", InvalidArgument, "-hint: expected throughput or latency, got \"",
             f.hint, "\"");
  JPQD_CHECK(f.batch > 0, InvalidArgument, "-b must be positive, got ", f.batch);
  JPQD_CHECK(f.seconds >= 0 && f.niter >= 0 && f.warmup >= 0, InvalidArgument, "-t, -niter and --warmup must not be negative");
  check_thread_flag("--threads", f.threads);
  check_thread_flag("--nstreams", f.nstreams);
  check_output_file("--json_stats", f.json_path);
  check_output_file("--report_csv", f.csv_path);
  const auto plan = runtime::plan_threads(f.hint == "latency" ? runtime::PerformanceHint::kLatency
                                                              : runtime::PerformanceHint::kThroughput,
                                          f.threads, f.nstreams);
  const runtime::Model model = runtime::Model::load(f.model);
  const auto& info = model.info();
  JPQD_CHECK(f.seq_len > 0 && f.seq_len <= info.max_sequence_length, InvalidArgument, "--seq_len ", f.seq_len,
             " must be in [1, ", info.max_sequence_length, "]");
  const double budget_seconds = f.seconds > 0 || f.niter > 0 ? f.seconds : 10.0;  // benchmark_app's default is 60 s

  const std::vector<Request> requests = make_requests(f, info);
  int64_t tokens = 0;
  for (const Request& r : requests) tokens += std::accumulate(r.mask.begin(), r.mask.end(), int64_t{0});
  const double mean_length = static_cast<double>(tokens) / static_cast<double>(requests.size() * f.batch);

  std::printf("[ INFO ] model %s: %s, %lld layers, hidden %lld, heads per layer [", f.model.c_str(),
              info.int8 ? "INT8" : "FP32", static_cast<long long>(info.num_layers), static_cast<long long>(info.hidden_size));
  for (size_t l = 0; l < info.heads_per_layer.size(); ++l)
    std::printf("%s%lld", l ? "," : "", static_cast<long long>(info.heads_per_layer[l]));
  std::printf("]\n[ INFO ] hint %s: %d streams x %d threads, ISA %s, batch %lld, sequence length %s\n", f.hint.c_str(),
              plan.streams, plan.threads_per_stream, runtime::effective_isa().c_str(), static_cast<long long>(f.batch),
              f.input.empty() ? std::to_string(f.seq_len).c_str()
                              : str_cat("up to ", f.seq_len, " (", f.input, ": ", requests.size(), " requests, ",
                                        mean_length, " tokens per text on average)").c_str());

  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::atomic<int64_t> iterations{0};
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  StartLine start_line(plan.streams);
  auto worker = [&] {
    bool arrived = false;
    try {
      runtime::set_thread_count_for_this_thread(plan.threads_per_stream);
      size_t next = 0;  // this stream's turn through the requests
      const auto run_next = [&] {
        const Request& r = requests[next++ % requests.size()];
        model.run(r.ids, r.mask, r.types, f.batch, r.seq_len);
      };
      for (int64_t i = 0; i < f.warmup && !stop; ++i) run_next();
      arrived = true;
      const auto start = start_line.arrive_and_wait();
      if (!start) return;
      std::vector<double> mine;
      while (!stop) {
        if (f.niter > 0 && iterations.fetch_add(1) >= f.niter) break;
        const auto t0 = Clock::now();
        run_next();
        const auto t1 = Clock::now();
        mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        if (budget_seconds > 0 && std::chrono::duration<double>(t1 - *start).count() >= budget_seconds) break;
      }
      std::lock_guard<std::mutex> lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    } catch (...) {
      {
        std::lock_guard<std::mutex> lock(mutex);
        failure = std::current_exception();
        stop = true;
      }
      // A stream that fails in its warm-up never arrives: the others must not wait for it forever.
      if (!arrived) start_line.abandon();
    }
  };
  std::vector<std::thread> streams;
  // One stream runs on this thread: its OpenMP team is then the one that packed the weights at load. A
  // second team would leave more OpenMP threads than cores, and libgomp then sleeps its threads between
  // parallel regions instead of spinning (measured on bert-mini: a futex wake per region).
  if (plan.streams == 1) worker();
  else try {
    for (int s = 0; s < plan.streams; ++s) streams.emplace_back(worker);
  } catch (const std::system_error& e) {
    // The streams already started must be joined: a joinable std::thread destroyed by the unwinding would
    // terminate the process.
    stop = true;
    start_line.abandon();
    for (auto& t : streams) t.join();
    throw InvalidArgument(str_cat("could not start stream ", streams.size() + 1, " of ", plan.streams, " (", e.what(),
                                  "): lower --nstreams"));
  }
  for (auto& t : streams) t.join();
  if (failure) std::rethrow_exception(failure);
  const double duration = std::chrono::duration<double>(Clock::now() - start_line.start()).count();
  JPQD_CHECK(!latencies_ms.empty(), InvalidArgument, "no iteration ran: raise -t or -niter");

  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const double count = static_cast<double>(latencies_ms.size());
  const double avg = std::accumulate(latencies_ms.begin(), latencies_ms.end(), 0.0) / count;
  // benchmark_app's throughput: requests per second over the whole run, times the batch.
  const double throughput = count * static_cast<double>(f.batch) / duration;
  Json stats = {{"model", f.model},
                {"int8", info.int8},
                {"hint", f.hint},
                {"streams", plan.streams},
                {"threads_per_stream", plan.threads_per_stream},
                {"isa", runtime::effective_isa()},
                {"batch", f.batch},
                {"seq_len", f.seq_len},
                {"input", f.input.empty() ? Json(nullptr) : Json(f.input)},
                {"mean_tokens_per_sequence", mean_length},
                {"count", latencies_ms.size()},
                {"duration_s", duration},
                {"latency_median_ms", percentile(latencies_ms, 50)},
                {"latency_avg_ms", avg},
                {"latency_min_ms", *std::min_element(latencies_ms.begin(), latencies_ms.end())},
                {"latency_max_ms", *std::max_element(latencies_ms.begin(), latencies_ms.end())},
                {"latency_p90_ms", percentile(latencies_ms, 90)},
                {"latency_p99_ms", percentile(latencies_ms, 99)},
                {"throughput_sequences_per_s", throughput},
                {"peak_memory_mb", static_cast<double>(usage.ru_maxrss) / 1024.0}};
  std::printf("[ INFO ] Count:               %zu iterations\n", latencies_ms.size());
  std::printf("[ INFO ] Duration:            %.2f ms\n", duration * 1000.0);
  std::printf("[ INFO ] Latency:\n[ INFO ]    Median:           %.2f ms\n[ INFO ]    Average:          %.2f ms\n"
              "[ INFO ]    Min:              %.2f ms\n[ INFO ]    Max:              %.2f ms\n"
              "[ INFO ]    P90:              %.2f ms\n[ INFO ]    P99:              %.2f ms\n",
              stats["latency_median_ms"].get<double>(), avg, stats["latency_min_ms"].get<double>(),
              stats["latency_max_ms"].get<double>(), stats["latency_p90_ms"].get<double>(),
              stats["latency_p99_ms"].get<double>());
  std::printf("[ INFO ] Throughput:          %.2f sequences/s\n", throughput);
  std::printf("[ INFO ] Peak memory:         %.1f MB\n", stats["peak_memory_mb"].get<double>());
  if (!f.json_path.empty()) write_file_atomically(f.json_path, stats.dump(2) + "\n");
  if (!f.csv_path.empty()) {
    std::string header, row;
    for (const auto& item : stats.items()) {
      header += (header.empty() ? "" : ",") + item.key();
      row += (row.empty() ? "" : ",") + (item.value().is_string() ? item.value().get<std::string>() : item.value().dump());
    }
    write_file_atomically(f.csv_path, header + "\n" + row + "\n");
  }
}

}  // namespace

void register_benchmark_command(CLI::App& app) {
  auto f = std::make_shared<BenchmarkFlags>();
  CLI::App* cmd = app.add_subcommand("benchmark", "Throughput and latency of a model.jpqd (as OpenVINO's benchmark_app)");
  cmd->add_option("-m,--model", f->model, "model.jpqd")->required();
  cmd->add_option("--hint", f->hint, "throughput (several streams) or latency (all cores on one request)")
      ->capture_default_str();
  cmd->add_option("--nstreams", f->nstreams, "Streams (default: from the hint)");
  cmd->add_option("--threads", f->threads, "Threads in all (default: all cores)");
  cmd->add_option("-b,--batch", f->batch, "Sequences per request")->capture_default_str();
  cmd->add_option("--seq_len", f->seq_len, "Tokens per sequence (with -i: the most, as truncation)")->capture_default_str();
  cmd->add_option("-i,--input", f->input,
                  "JSON lines of \"text\" (and \"text_pair\"), tokenized with the model's own tokenizer, instead of "
                  "random ids");
  cmd->add_option("-t,--time", f->seconds, "Seconds to run (default 10 unless --niter)");
  cmd->add_option("--niter", f->niter, "Requests to run in all");
  cmd->add_option("--nireq", "Accepted for compatibility: each stream keeps one request in flight");
  cmd->add_option("--warmup", f->warmup, "Untimed requests per stream first")->capture_default_str();
  cmd->add_option("--json_stats,--report_json", f->json_path, "Write the statistics as JSON");
  cmd->add_option("--report_csv", f->csv_path, "Write the statistics as CSV");
  cmd->callback([f] { run_benchmark(*f); });
}

}  // namespace jpqd::cli
