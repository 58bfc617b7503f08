// jpqd runtime: load a `model.jpqd` and run BERT on text or token ids, INT8 or FP32, on oneDNN. No LibTorch:
// link jpqd::runtime (CMake: find_package(jpqd), pkg-config: jpqd-runtime). Self-contained header.
//
//   auto model = jpqd::runtime::Model::load("model.jpqd");
//   jpqd::runtime::Predictions p = model.predict({"a gripping film", "dull"});   // p.labels, p.logits
//   jpqd::runtime::Logits out = model.run(ids, mask, types, batch, seq_len);    // raw ids in, logits out
//   auto session = jpqd::runtime::Session::open("model.jpqd", {jpqd::runtime::PerformanceHint::kThroughput});
//
// Everything here is thread-safe: one loaded Model serves concurrent calls. Errors are jpqd::Error subclasses
// (jpqd/error.h) with one-line messages; after one, the Model or Session stays usable.
//
// Threads. oneDNN and our kernels run on OpenMP, whose thread count belongs to the calling thread.
//   latency:    one caller, set_thread_count_for_this_thread(all cores); one request at a time. Best
//               from the thread that loaded the model: every calling thread gets its own OpenMP team,
//               and with more OpenMP threads than cores libgomp sleeps between parallel regions
//               instead of spinning (bert-mini INT8 ran about 2x slower from a second thread).
//   throughput: StreamPool(streams, threads_per_stream): each stream is a std::thread that sets its own
//               count once and runs requests from a queue, so streams never share OpenMP teams.
//   Session does either for you: it owns the streams, loads the model on the first of them (Session::open)
//   and spreads a predict() call's batches over them, whichever thread calls it.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "jpqd/error.h"
#include "jpqd/tokenizer.h"

namespace jpqd::runtime {

enum class Task { kSequenceClassification, kQuestionAnswering };

struct Logits {
  Task task = Task::kSequenceClassification;
  int64_t batch = 0;
  int64_t seq_len = 0;
  int64_t num_labels = 0;
  std::vector<float> logits;        // classification: [batch, num_labels], row-major
  std::vector<float> start_logits;  // question answering: [batch, seq_len]
  std::vector<float> end_logits;    // question answering: [batch, seq_len]
};

struct ModelInfo {
  Task task = Task::kSequenceClassification;
  int64_t num_labels = 0;
  std::vector<std::string> labels;  // id2label, may be empty
  std::string problem_type;
  int64_t hidden_size = 0;
  int64_t num_layers = 0;
  int64_t vocab_size = 0;
  int64_t max_sequence_length = 0;  // max_position_embeddings (RoBERTa: less padding_idx + 1)
  int64_t type_vocab_size = 0;      // 1 for families without token-type embeddings (their types are ignored)
  std::string model_type;           // the family: bert, distilbert, roberta, xlm-roberta
  std::vector<int64_t> heads_per_layer;
  std::vector<int64_t> ffn_per_layer;
  bool int8 = false;
  uint64_t file_bytes = 0;
};

// The largest batch predict() and Session accept in one forward pass (a larger request is split by
// PredictOptions::batch_size; a batch_size above this is refused rather than allocated).
constexpr int64_t kMaxBatchSize = 4096;

struct PredictOptions {
  int64_t batch_size = 32;         // texts per forward pass, 1..kMaxBatchSize
  int64_t max_length = 0;          // tokens per text after truncation; 0: the model's maximum
  int64_t max_answer_length = 30;  // question answering: the longest span in tokens (as HF's pipeline)
};

// An answer span in the second text (the context) of a question answering pair.
struct Span {
  int64_t start_token = -1;  // [start_token, end_token] in the example's tokens, inclusive
  int64_t end_token = -1;
  int64_t start_byte = 0;    // [start_byte, end_byte) in the context's UTF-8
  int64_t end_byte = 0;
  std::string text;          // the context's bytes in that range
  float score = 0;           // start logit + end logit
};

// What predict() returns for `count` texts, in their order.
struct Predictions {
  Task task = Task::kSequenceClassification;
  int64_t count = 0;
  int64_t num_labels = 0;
  std::vector<float> logits;   // classification: [count, num_labels], row-major
  std::vector<int64_t> labels; // classification: the argmax of each row (empty for regression, num_labels 1)
  // Question answering: [count, seq_len] start and end logits, seq_len the longest example of the call;
  // positions past an example's own tokens hold -infinity. spans: the best span of each example.
  int64_t seq_len = 0;
  std::vector<float> start_logits;
  std::vector<float> end_logits;
  std::vector<Span> spans;
};

class Model {
 public:
  // Maps the file, verifies its checksum and structure, packs every weight for oneDNN.
  // Throws jpqd::IoError / jpqd::FormatError (jpqd/error.h) with the file and tensor named.
  static Model load(const std::string& path);

  // ids [batch, seq_len]; attention_mask (0/1) and token_type_ids may be null (all ones / all zeros).
  // Throws jpqd::InvalidArgument for an empty batch, seq_len outside 1..max_sequence_length, ids or
  // token types outside their vocabularies, mask values other than 0/1; the model stays usable.
  Logits run(const int64_t* input_ids, const int64_t* attention_mask, const int64_t* token_type_ids, int64_t batch,
             int64_t seq_len) const;
  Logits run(const std::vector<int64_t>& input_ids, const std::vector<int64_t>& attention_mask,
             const std::vector<int64_t>& token_type_ids, int64_t batch, int64_t seq_len) const;

  // Tokenizes with the model's own vocabulary and settings ([CLS] a [SEP] (b [SEP])), pads the batch to
  // its longest example, truncates to max_length (0: the model's maximum), runs.
  Logits run_text(const std::vector<std::string>& texts, const std::vector<std::string>& text_pairs = {},
                  int64_t max_length = 0) const;

  // Tokenizes (as run_text), runs in batches of options.batch_size on the calling thread (each padded to its
  // longest text), and post-processes: labels for a classifier, the best answer span for question answering
  // (texts are the questions, text_pairs the contexts, cut only_second to max_length: no striding over long
  // contexts). InvalidArgument for no texts, a text_pairs list of another length, a batch_size outside
  // 1..kMaxBatchSize, a max_length above the model's, or a question answering model without text_pairs.
  Predictions predict(const std::vector<std::string>& texts, const std::vector<std::string>& text_pairs = {},
                      const PredictOptions& options = {}) const;

  // The tokenizer the model file carries (what run_text and predict use).
  Tokenizer tokenizer() const;

  const ModelInfo& info() const;

 private:
  friend class Session;
  struct Impl;
  explicit Model(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Name of the instruction set oneDNN uses, e.g. "avx512_core_vnni". The environment variable JPQD_MAX_ISA
// ("avx2", "avx512_core", ...) caps it, read once, before the first model loads.
std::string effective_isa();
// OpenMP threads used by run() calls made from the calling thread.
void set_thread_count_for_this_thread(int threads);
int thread_count_for_this_thread();
// Cores available to this process.
int available_cores();

// OpenVINO-style performance hints turned into streams x threads. threads 0 = all available cores;
// streams 0 = 1 for latency, one per core for throughput (on small models single-thread streams beat
// one multi-thread request, docs/RESULTS.md). Throws InvalidArgument for negative values.
enum class PerformanceHint { kLatency, kThroughput };
struct ThreadPlan {
  int streams = 1;
  int threads_per_stream = 1;
};
ThreadPlan plan_threads(PerformanceHint hint, int threads = 0, int streams = 0);

// Throughput streams: `streams` worker threads with `threads_per_stream` OpenMP threads each.
class StreamPool {
 public:
  StreamPool(int streams, int threads_per_stream);
  ~StreamPool();
  StreamPool(const StreamPool&) = delete;
  StreamPool& operator=(const StreamPool&) = delete;

  // Runs `job` on the next free stream; exceptions travel through the future.
  std::future<Logits> submit(std::function<Logits()> job);
  int streams() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

struct SessionOptions {
  PerformanceHint hint = PerformanceHint::kLatency;
  int threads = 0;  // as plan_threads: 0 = all available cores
  int streams = 0;  // 0 = the hint's default
};

// A model with its own streams (plan_threads(hint, threads, streams)). Calls from any number of threads
// are queued onto the streams; predict() spreads its batches over all of them, so with the throughput hint
// one large call keeps every core busy. Copies share the same model and streams.
class Session {
 public:
  // Loads the model on the session's first stream, so that the OpenMP team which packed the weights is the
  // one that runs them (see "Threads" above).
  static Session open(const std::string& model_path, const SessionOptions& options = {});
  explicit Session(Model model, const SessionOptions& options = {});

  // As Model::predict, with the batches run on the streams.
  Predictions predict(const std::vector<std::string>& texts, const std::vector<std::string>& text_pairs = {},
                      const PredictOptions& options = {}) const;
  // As Model::run, on the next free stream; InvalidArgument for a batch above kMaxBatchSize.
  Logits run(const std::vector<int64_t>& input_ids, const std::vector<int64_t>& attention_mask,
             const std::vector<int64_t>& token_type_ids, int64_t batch, int64_t seq_len) const;

  const Model& model() const;
  ThreadPlan plan() const;

 private:
  struct State;
  explicit Session(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  static std::shared_ptr<State> start(const SessionOptions& options);
  std::shared_ptr<const State> state_;
};

// Runs one deployment subcommand of the `jpqd` binary (eval, benchmark, inspect, tokenize) in this process,
// with the CLI's flags: args as after the program name, e.g. {"eval", "-m", "model.jpqd", "--task_name",
// "sst2"}. What the command prints goes to stdout; a bad flag or input throws jpqd::Error with the line the
// CLI would print after "jpqd: error: ". --help prints the help and returns. (jpqd/training.h's
// jpqd::run_command also runs the training commands.)
void run_command(const std::vector<std::string>& args);

}  // namespace jpqd::runtime
