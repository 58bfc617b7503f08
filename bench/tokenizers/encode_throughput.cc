// Batch-encoding throughput of jpqd's tokenizer.json pipeline (src/text/pipeline), the way a training
// featurisation calls a fast tokenizer: batches of --batch_size inputs, truncated longest_first to
// --max_length and padded to the longest of each batch. The same inputs and settings as
// library_throughput.js, which times Hugging Face tokenizers itself; run.sh runs both side by side.
//
//   bench_tokenizer_encode --tokenizer <dir> --input <inputs.jsonl> [--batch_size 32] [--max_length 128]
//                          [--seconds 5] [--threads 1] [--dump ids.jsonl]
// Inputs are JSON lines {"text": ..., "text_pair": ...}. Prints one JSON line: texts/s, MB/s (UTF-8
// input bytes), batches, seconds. --dump writes each input's input_ids, token_type_ids and
// attention_mask (one JSON line, keys in that order) from an untimed first pass, for the identity check.
// --threads > 1 spreads each batch's inputs over a persistent pool, as the library's rayon does.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/error.h"
#include "common/json_util.h"
#include "text/pipeline/tokenizer_files.h"

namespace {

namespace tp = jpqd::text::pipeline;
using Input = std::pair<std::string, std::optional<std::string>>;
using Clock = std::chrono::steady_clock;

struct Flags {
  std::string tokenizer, input, dump;
  size_t batch_size = 32;
  size_t max_length = 128;
  double seconds = 5;
  int threads = 1;
};

Flags parse_flags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string name = argv[i];
    JPQD_CHECK(i + 1 < argc, jpqd::InvalidArgument, name, " needs a value");
    const std::string value = argv[++i];
    if (name == "--tokenizer") {
      f.tokenizer = value;
    } else if (name == "--input") {
      f.input = value;
    } else if (name == "--dump") {
      f.dump = value;
    } else if (name == "--batch_size") {
      f.batch_size = std::stoul(value);
    } else if (name == "--max_length") {
      f.max_length = std::stoul(value);
    } else if (name == "--seconds") {
      f.seconds = std::stod(value);
    } else if (name == "--threads") {
      f.threads = std::stoi(value);
    } else {
      throw jpqd::InvalidArgument("unknown flag " + name);
    }
  }
  JPQD_CHECK(!f.tokenizer.empty() && !f.input.empty(), jpqd::InvalidArgument, "--tokenizer and --input are required");
  JPQD_CHECK(f.batch_size > 0 && f.max_length > 0 && f.threads > 0, jpqd::InvalidArgument,
             "--batch_size, --max_length and --threads must be positive");
  return f;
}

std::vector<Input> read_inputs(const std::string& path) {
  std::ifstream in(path);
  JPQD_CHECK(in.good(), jpqd::IoError, path, ": cannot open");
  std::vector<Input> inputs;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const jpqd::Json record = jpqd::parse_json(line, path);
    std::optional<std::string> pair;
    if (record.contains("text_pair") && !record["text_pair"].is_null()) pair = record["text_pair"].get<std::string>();
    inputs.emplace_back(record["text"].get<std::string>(), std::move(pair));
  }
  JPQD_CHECK(!inputs.empty(), jpqd::InvalidArgument, path, ": no inputs");
  return inputs;
}

// Worker threads that stay up between batches: starting threads per batch of 32 would cost more
// than the encoding being measured. The caller works too and waits only for helpers that joined,
// so a helper the scheduler wakes late never holds a batch up.
class Pool {
 public:
  explicit Pool(int helpers) {
    for (int k = 0; k < helpers; ++k) threads_.emplace_back([this] { serve(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  // body(i) for i in [0, n), on the calling thread and whichever helpers join.
  void run(size_t n, const std::function<void(size_t)>& body) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      body_ = &body;
      n_ = n;
      next_ = 0;
      open_ = true;
      ++generation_;
    }
    wake_.notify_all();
    drain();
    // Every item is claimed; those still running belong to helpers counted in active_.
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return active_ == 0; });
    open_ = false;
  }

 private:
  void drain() {
    for (size_t i; (i = next_.fetch_add(1)) < n_;) (*body_)(i);
  }
  void serve() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        if (!open_) continue;  // that batch is finished already
        ++active_;
      }
      drain();
      std::lock_guard<std::mutex> lock(mutex_);
      if (--active_ == 0) done_.notify_one();
    }
  }

  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(size_t)>* body_ = nullptr;
  size_t n_ = 0;
  std::atomic<size_t> next_{0};
  size_t active_ = 0;
  bool open_ = false;
  uint64_t generation_ = 0;
  bool stop_ = false;
};

void append_array(std::string& out, const std::vector<int64_t>& values) {
  out += '[';
  for (size_t k = 0; k < values.size(); ++k) {
    if (k) out += ',';
    out += std::to_string(values[k]);
  }
  out += ']';
}

int run(const Flags& flags) {
  tp::LoadedTokenizer loaded = tp::load_tokenizer(flags.tokenizer);
  tp::TokenizerPipeline& padded = loaded.pipeline;
  tp::TruncationParams truncation;
  truncation.max_length = flags.max_length;
  padded.set_truncation(truncation);
  // The pad token as `jpqd tokenize` and transformers take it: tokenizer_config.json's.
  JPQD_CHECK(loaded.config.pad_token.has_value(), jpqd::InvalidArgument, flags.tokenizer, ": no pad_token");
  const auto pad_id = padded.token_to_id(*loaded.config.pad_token);
  JPQD_CHECK(pad_id.has_value(), jpqd::InvalidArgument, flags.tokenizer, ": pad token not in the vocabulary");
  tp::PaddingParams padding;
  padding.to_longest = true;
  padding.pad_id = *pad_id;
  padding.pad_token = *loaded.config.pad_token;
  tp::TokenizerPipeline unpadded = padded;
  unpadded.set_padding(std::nullopt);
  padded.set_padding(padding);

  const std::vector<Input> inputs = read_inputs(flags.input);
  size_t pass_bytes = 0;
  for (const Input& in : inputs) pass_bytes += in.first.size() + (in.second ? in.second->size() : 0);

  Pool pool(flags.threads - 1);
  std::vector<Input> batch;
  std::vector<tp::EncodedText> encoded;
  const auto encode = [&](size_t first) {
    batch.assign(inputs.begin() + static_cast<std::ptrdiff_t>(first),
                 inputs.begin() + static_cast<std::ptrdiff_t>(std::min(inputs.size(), first + flags.batch_size)));
    if (flags.threads == 1) {
      encoded = padded.encode_batch(batch);
      return;
    }
    encoded.resize(batch.size());
    pool.run(batch.size(), [&](size_t i) { encoded[i] = unpadded.encode(batch[i].first, batch[i].second); });
    tp::pad_encodings(encoded, padding);
  };

  // Untimed first pass: warms caches and gives the ids for the identity check.
  std::string dump;
  for (size_t first = 0; first < inputs.size(); first += flags.batch_size) {
    encode(first);
    if (flags.dump.empty()) continue;
    for (const tp::EncodedText& e : encoded) {
      dump += "{\"input_ids\":";
      append_array(dump, e.ids);
      dump += ",\"token_type_ids\":";
      append_array(dump, e.type_ids);
      dump += ",\"attention_mask\":";
      append_array(dump, e.attention_mask);
      dump += "}\n";
    }
  }
  if (!flags.dump.empty()) {
    std::ofstream(flags.dump, std::ios::binary) << dump;
  }

  // Whole passes over the inputs until --seconds have gone by.
  size_t texts = 0, bytes = 0, batches = 0, tokens = 0;
  const Clock::time_point start = Clock::now();
  double elapsed = 0;
  do {
    for (size_t first = 0; first < inputs.size(); first += flags.batch_size) {
      encode(first);
      ++batches;
      for (const tp::EncodedText& e : encoded) tokens += e.ids.size();
    }
    texts += inputs.size();
    bytes += pass_bytes;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < flags.seconds);

  std::printf(
      "{\"side\":\"jpqd\",\"threads\":%d,\"batch_size\":%zu,\"max_length\":%zu,\"texts\":%zu,\"batches\":%zu,"
      "\"padded_tokens\":%zu,\"seconds\":%.3f,\"texts_per_s\":%.1f,\"mb_per_s\":%.3f}\n",
      flags.threads, flags.batch_size, flags.max_length, texts, batches, tokens, elapsed, texts / elapsed,
      bytes / elapsed / 1e6);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_flags(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_tokenizer_encode: %s\n", e.what());
    return 1;
  }
}
