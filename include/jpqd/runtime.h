// jpqd runtime: load a `model.jpqd` and run BERT on token ids or text, INT8 or FP32, on oneDNN.
// No LibTorch. Everything here is thread-safe: one loaded Model serves concurrent run() calls.
//
//   auto model = jpqd::runtime::Model::load("model.jpqd");
//   jpqd::runtime::Logits out = model.run(ids, mask, types, batch, seq_len);
//
// Threads. oneDNN and our kernels run on OpenMP, whose thread count belongs to the calling thread.
//   latency:    one caller, set_thread_count_for_this_thread(all cores); one request at a time. Best
//               from the thread that loaded the model: every calling thread gets its own OpenMP team,
//               and with more OpenMP threads than cores libgomp sleeps between parallel regions
//               instead of spinning (bert-mini INT8 ran about 2x slower from a second thread).
//   throughput: StreamPool(streams, threads_per_stream): each stream is a std::thread that sets its own
//               count once and runs requests from a queue, so streams never share OpenMP teams.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

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

class Model {
 public:
  // Maps the file, verifies its checksum and structure, packs every weight for oneDNN.
  // Throws jpqd::IoError / jpqd::FormatError (common/error.h) with the file and tensor named.
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

  const ModelInfo& info() const;

 private:
  struct Impl;
  explicit Model(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Name of the instruction set oneDNN uses (after JPQD_MAX_ISA, see runtime/cpu_isa.h).
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

}  // namespace jpqd::runtime
