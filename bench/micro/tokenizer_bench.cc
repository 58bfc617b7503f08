// Tokenizer throughput on review-length English documents, the work `jpqd pretrain` does on IMDB
// (about 1,300 bytes a review, almost all ASCII). The documents come from files shipped in data/, so the
// benchmark needs nothing outside the source tree:
//  - sst2:  SST-2 training sentences (movie reviews, lower-cased) joined into documents of >= 1,300 bytes;
//  - squad: the SQuAD dev contexts (Wikipedia, mixed case, ~0.1% non-ASCII), one document each.
// The first argument is the number of documents tokenized per iteration; the *_threads benchmarks
// spread them over the second argument's worker threads with parallel_for, as dataset preparation does.
//
//   bench_tokenizer --benchmark_min_time=2 --benchmark_repetitions=3
//   counters: docs/s = documents per second; bytes_per_second = UTF-8 input bytes per second
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "common/file_io.h"
#include "common/parallel_for.h"
#include "data/squad.h"
#include "text/bert_tokenizer.h"
#include "text/tokenizer.h"

namespace {

using jpqd::text::BertTokenizer;
using jpqd::text::Tokenizer;

constexpr size_t kReviewBytes = 1300;  // mean IMDB review length in bytes

std::string source_path(const std::string& relative) { return std::string(JPQD_SOURCE_DIR) + "/" + relative; }

std::vector<std::string> sst2_reviews() {
  const std::string tsv = jpqd::read_text_file(source_path("data/glue/SST-2/train.tsv"));
  std::vector<std::string> docs(1);
  size_t start = tsv.find('\n') + 1;  // past the header
  while (start < tsv.size()) {
    size_t end = tsv.find('\n', start);
    if (end == std::string::npos) end = tsv.size();
    const size_t tab = tsv.rfind('\t', end);
    if (tab != std::string::npos && tab > start) {
      if (docs.back().size() >= kReviewBytes) docs.emplace_back();
      docs.back().append(tsv, start, tab - start);
    }
    start = end + 1;
  }
  return docs;
}

std::vector<std::string> squad_contexts() {
  std::vector<std::string> docs;
  for (const auto& ex : jpqd::data::read_squad_file(source_path("data/squad/dev-v1.1.json")).examples) {
    if (docs.empty() || docs.back() != ex.context) docs.push_back(ex.context);
  }
  return docs;
}

const std::vector<std::string>& corpus(const std::string& name) {
  static const std::vector<std::string> sst2 = sst2_reviews();
  static const std::vector<std::string> squad = squad_contexts();
  return name == "sst2" ? sst2 : squad;
}

// What every stage now reads text with (text/tokenizer.h), beside the slow BertTokenizer it replaced.
const Tokenizer& pipeline_tokenizer(bool cased) {
  static const Tokenizer uncased = Tokenizer::from_directory(source_path("data/vocab/bert-base-uncased"));
  // The shipped cased vocabulary has no tokenizer_config.json; bert-base-cased's says do_lower_case false.
  static const Tokenizer cased_tokenizer = [] {
    auto files = jpqd::text::pipeline::read_tokenizer_files(source_path("data/vocab/bert-base-cased"));
    files.contents["tokenizer_config.json"] = R"({"do_lower_case": false})";
    return Tokenizer::from_files(std::move(files));
  }();
  return cased ? cased_tokenizer : uncased;
}

const BertTokenizer& tokenizer(bool cased) {
  static const BertTokenizer uncased(
      jpqd::text::Vocab::from_file(source_path("data/vocab/bert-base-uncased/vocab.txt")), {});
  static const BertTokenizer cased_tokenizer(
      jpqd::text::Vocab::from_file(source_path("data/vocab/bert-base-cased/vocab.txt")), [] {
        jpqd::text::TokenizerOptions o;
        o.do_lower_case = false;
        return o;
      }());
  return cased ? cased_tokenizer : uncased;
}

template <typename AnyTokenizer>
void run(benchmark::State& state, const std::string& corpus_name, const AnyTokenizer& t) {
  const auto& all = corpus(corpus_name);
  const std::vector<std::string> docs(all.begin(),
                                      all.begin() + std::min<std::ptrdiff_t>(state.range(0), all.size()));
  int64_t bytes = 0;
  for (const auto& d : docs) bytes += static_cast<int64_t>(d.size());
  int64_t tokens = 0;
  for (auto _ : state) {
    tokens = 0;
    for (const auto& d : docs) tokens += static_cast<int64_t>(t.encode(d).input_ids.size());
    benchmark::DoNotOptimize(tokens);
  }
  state.SetBytesProcessed(bytes * state.iterations());
  state.counters["docs/s"] =
      benchmark::Counter(static_cast<double>(docs.size()) * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(std::to_string(docs.size()) + " docs, " + std::to_string(bytes) + " bytes, " +
                 std::to_string(tokens) + " tokens, 1 thread");
}

void run_threads(benchmark::State& state, const std::string& corpus_name) {
  const auto& all = corpus(corpus_name);
  const std::vector<std::string> docs(all.begin(),
                                      all.begin() + std::min<std::ptrdiff_t>(state.range(0), all.size()));
  const auto threads = static_cast<int>(state.range(1));
  const BertTokenizer& t = tokenizer(false);
  int64_t bytes = 0;
  for (const auto& d : docs) bytes += static_cast<int64_t>(d.size());
  std::vector<size_t> tokens(docs.size());
  for (auto _ : state) {
    jpqd::parallel_for(docs.size(), threads, [&](size_t i) { tokens[i] = t.encode(docs[i]).input_ids.size(); });
    benchmark::DoNotOptimize(tokens.data());
  }
  state.SetBytesProcessed(bytes * state.iterations());
  state.counters["docs/s"] =
      benchmark::Counter(static_cast<double>(docs.size()) * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(std::to_string(docs.size()) + " docs, " + std::to_string(threads) + " threads of " +
                 std::to_string(std::thread::hardware_concurrency()) + " hardware");
}

void BM_encode_sst2_uncased(benchmark::State& s) { run(s, "sst2", tokenizer(false)); }
void BM_encode_squad_uncased(benchmark::State& s) { run(s, "squad", tokenizer(false)); }
void BM_encode_squad_cased(benchmark::State& s) { run(s, "squad", tokenizer(true)); }
void BM_pipeline_sst2_uncased(benchmark::State& s) { run(s, "sst2", pipeline_tokenizer(false)); }
void BM_pipeline_squad_uncased(benchmark::State& s) { run(s, "squad", pipeline_tokenizer(false)); }
void BM_pipeline_squad_cased(benchmark::State& s) { run(s, "squad", pipeline_tokenizer(true)); }

BENCHMARK(BM_encode_sst2_uncased)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pipeline_sst2_uncased)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_encode_squad_uncased)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pipeline_squad_uncased)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_encode_squad_cased)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pipeline_squad_cased)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_encode_sst2_uncased_threads(benchmark::State& s) { run_threads(s, "sst2"); }
BENCHMARK(BM_encode_sst2_uncased_threads)
    ->Args({1000, 1})
    ->Args({1000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
