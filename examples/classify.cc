// Text classification (or question answering) with jpqd's runtime, through the public API only:
//
//   jpqd_example_classify MODEL.jpqd TEXT...            one line per text: label, then the logits
//   jpqd_example_classify MODEL.jpqd --pairs Q1 C1 Q2 C2  question answering: the answer span of each pair
//
// It also checks itself, printing one "check" line for each: predict() from one thread, a throughput Session
// with two streams, and run() on the tokenizer's own ids must give the same logits bit for bit.
// Errors are one line on stderr, and the exit code is the `jpqd` binary's for the same error.
#include <jpqd/runtime.h>
#include <jpqd/tokenizer.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

// How many of the values differ (all of them when the lengths do).
size_t differing_values(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::max(a.size(), b.size());
  size_t differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
  return differ;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.jpqd TEXT... | MODEL.jpqd --pairs QUESTION CONTEXT ...\n", argv[0]);
    return 2;
  }
  try {
    const jpqd::runtime::Model model = jpqd::runtime::Model::load(argv[1]);
    std::vector<std::string> texts, pairs;
    const bool qa = std::strcmp(argv[2], "--pairs") == 0;
    for (int i = qa ? 3 : 2; i < argc; ++i) (qa && (i - 3) % 2 == 1 ? pairs : texts).push_back(argv[i]);
    if (qa && pairs.size() != texts.size()) throw jpqd::InvalidArgument("--pairs needs a context for every question");

    jpqd::runtime::PredictOptions options;
    options.batch_size = 2;  // more than one batch for the session to spread
    const jpqd::runtime::Predictions p = model.predict(texts, pairs, options);
    const auto& info = model.info();
    for (int64_t i = 0; i < p.count; ++i) {
      if (p.task == jpqd::runtime::Task::kQuestionAnswering) {
        const auto& s = p.spans[static_cast<size_t>(i)];
        std::printf("answer\t%s\t[%lld, %lld)\t%.4f\n", s.text.c_str(), static_cast<long long>(s.start_byte),
                    static_cast<long long>(s.end_byte), s.score);
        continue;
      }
      const int64_t label = p.labels[static_cast<size_t>(i)];
      std::printf("label\t%s", info.labels.empty() ? std::to_string(label).c_str()
                                                   : info.labels[static_cast<size_t>(label)].c_str());
      for (int64_t k = 0; k < p.num_labels; ++k) std::printf("\t%.6f", p.logits[static_cast<size_t>(i * p.num_labels + k)]);
      std::printf("\n");
    }

    jpqd::runtime::SessionOptions session_options;
    session_options.hint = jpqd::runtime::PerformanceHint::kThroughput;
    session_options.streams = 2;
    session_options.threads = 2;
    const auto session = jpqd::runtime::Session::open(argv[1], session_options);
    const jpqd::runtime::Predictions q = session.predict(texts, pairs, options);
    std::printf("check\tsession\t%zu differ\n",
                differing_values(p.logits, q.logits) + differing_values(p.start_logits, q.start_logits));

    // The same first text as raw ids: the tokenizer's encoding through run().
    const jpqd::Tokenizer tokenizer = model.tokenizer();
    const jpqd::Encoding e = tokenizer.encode(texts[0], qa ? std::optional<std::string>(pairs[0]) : std::nullopt,
                                              {info.max_sequence_length, qa ? jpqd::Truncation::kOnlySecond
                                                                            : jpqd::Truncation::kLongestFirst});
    const auto n = static_cast<int64_t>(e.size());
    const jpqd::runtime::Logits raw = model.run(e.ids, e.attention_mask, e.type_ids, 1, n);
    const std::vector<float> first = qa ? std::vector<float>(p.start_logits.begin(), p.start_logits.begin() + n)
                                        : std::vector<float>(p.logits.begin(), p.logits.begin() + p.num_labels);
    std::printf("check\trun\t%zu differ\n", differing_values(first, qa ? raw.start_logits : raw.logits));
  } catch (const jpqd::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  }
  return 0;
}
