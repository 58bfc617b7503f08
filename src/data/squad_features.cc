#include "data/squad_features.h"

#include <algorithm>

#include "common/error.h"
#include "common/parallel_for.h"

namespace jpqd::data {

namespace {

constexpr std::pair<int64_t, int64_t> kNoOffset{-1, -1};
constexpr int64_t kSpecialTokens = 3;  // [CLS], [SEP], [SEP]

// Token positions of the answer inside one window, as run_qa's prepare_train_features finds them;
// (0, 0) when the window does not hold the whole answer. The scans stay inside the context tokens
// (run_qa's start scan can run into [SEP] when the answer starts in the window's last token).
std::pair<int64_t, int64_t> answer_positions(const std::vector<std::pair<int64_t, int64_t>>& offsets, int64_t first,
                                             int64_t last, std::pair<int64_t, int64_t> answer) {
  if (last < first) return {0, 0};
  const auto at = [&](int64_t i) { return offsets[static_cast<size_t>(i)]; };
  if (!(at(first).first <= answer.first && at(last).second >= answer.second)) return {0, 0};
  int64_t start = first;
  while (start <= last && at(start).first <= answer.first) ++start;
  int64_t end = last;
  while (end >= first && at(end).second >= answer.second) --end;
  return {start - 1, end + 1};
}

}  // namespace

std::vector<SquadFeature> make_squad_windows(const TokenizedText& question, const TokenizedText& context,
                                             const std::optional<std::pair<int64_t, int64_t>>& answer,
                                             const SpecialTokenIds& special, const SquadFeatureOptions& options,
                                             int64_t example_index) {
  JPQD_CHECK(options.doc_stride >= 0, InvalidArgument, "doc_stride ", options.doc_stride, " must not be negative");
  JPQD_CHECK(options.max_query_length >= 0, InvalidArgument, "max_query_length ", options.max_query_length,
             " must not be negative");
  auto query_length = static_cast<int64_t>(question.ids.size());
  if (options.max_query_length > 0) query_length = std::min(query_length, options.max_query_length);
  const int64_t capacity = options.max_seq_length - query_length - kSpecialTokens;
  const auto context_length = static_cast<int64_t>(context.ids.size());
  if (context_length > std::max<int64_t>(capacity, 0)) {
    // The fast tokenizer refuses the same settings ("stride must be less than the window").
    JPQD_CHECK(capacity > options.doc_stride, InvalidArgument, "max_seq_length ", options.max_seq_length,
               " leaves ", capacity, " context tokens per window after a ", query_length,
               "-token question, not more than doc_stride ", options.doc_stride,
               "; raise max_seq_length or lower doc_stride / max_query_length");
  }

  std::vector<SquadFeature> windows;
  int64_t begin = 0;
  while (true) {
    const int64_t end = std::min(begin + std::max<int64_t>(capacity, 0), context_length);
    SquadFeature f;
    f.example_index = example_index;
    Feature& x = f.feature;
    x.input_ids.push_back(special.cls);
    x.input_ids.insert(x.input_ids.end(), question.ids.begin(), question.ids.begin() + query_length);
    x.input_ids.push_back(special.sep);
    x.token_type_ids.assign(x.input_ids.size(), 0);
    f.offsets.assign(x.input_ids.size(), kNoOffset);
    const auto first_context = static_cast<int64_t>(x.input_ids.size());
    for (int64_t i = begin; i < end; ++i) {
      x.input_ids.push_back(context.ids[static_cast<size_t>(i)]);
      f.offsets.push_back(context.offsets[static_cast<size_t>(i)]);
    }
    x.input_ids.push_back(special.sep);
    f.offsets.push_back(kNoOffset);
    x.token_type_ids.resize(x.input_ids.size(), 1);
    if (answer) {
      const auto [s, e] = answer_positions(f.offsets, first_context, first_context + (end - begin) - 1, *answer);
      x.start_position = s;
      x.end_position = e;
    }
    if (options.pad_to_max_length) {
      const size_t real = x.input_ids.size();
      const auto length = static_cast<size_t>(options.max_seq_length);
      x.attention_mask.assign(real, 1);
      x.attention_mask.resize(length, 0);
      x.input_ids.resize(length, special.pad);
      x.token_type_ids.resize(length, 0);
      f.offsets.resize(length, kNoOffset);
    }
    windows.push_back(std::move(f));
    if (end >= context_length) break;
    begin += capacity - options.doc_stride;
  }
  return windows;
}

std::vector<SquadFeature> prepare_squad_features(const std::vector<SquadExample>& examples,
                                                 const text::BertTokenizer& tokenizer,
                                                 const SquadFeatureOptions& options) {
  JPQD_CHECK(options.max_seq_length > kSpecialTokens, InvalidArgument, "max_seq_length ", options.max_seq_length,
             " is too small for question answering");
  const SpecialTokenIds special{tokenizer.vocab().cls_id(), tokenizer.vocab().sep_id(), tokenizer.vocab().pad_id()};
  // encode() without a pair or a limit is [CLS] text [SEP]: the pieces with their ids and offsets,
  // without a std::string per token.
  auto tokenize = [&](const std::string& text) {
    text::Encoding e = tokenizer.encode(text);
    TokenizedText out;
    out.ids.assign(e.input_ids.begin() + 1, e.input_ids.end() - 1);
    out.offsets.assign(e.offsets.begin() + 1, e.offsets.end() - 1);
    return out;
  };
  // Consecutive questions usually share their paragraph: each run of them is one task, which
  // tokenizes the paragraph once; runs go to worker threads and their windows are joined in order.
  std::vector<size_t> run_starts;
  for (size_t i = 0; i < examples.size(); ++i) {
    if (i == 0 || examples[i].context != examples[i - 1].context) run_starts.push_back(i);
  }
  std::vector<std::vector<SquadFeature>> run_windows(run_starts.size());
  parallel_for(run_starts.size(), worker_threads(options.threads), [&](size_t run) {
    const size_t end = run + 1 < run_starts.size() ? run_starts[run + 1] : examples.size();
    const TokenizedText context = tokenize(examples[run_starts[run]].context);
    for (size_t i = run_starts[run]; i < end; ++i) {
      const SquadExample& ex = examples[i];
      std::optional<std::pair<int64_t, int64_t>> answer;
      if (!ex.answers.empty()) {
        const SquadAnswer& a = ex.answers.front();
        answer = std::make_pair(a.byte_start, a.byte_start + static_cast<int64_t>(a.text.size()));
      }
      auto windows = make_squad_windows(tokenize(ex.question), context, answer, special, options, static_cast<int64_t>(i));
      for (auto& w : windows) run_windows[run].push_back(std::move(w));
    }
  });
  std::vector<SquadFeature> features;
  for (auto& windows : run_windows) {
    for (auto& w : windows) features.push_back(std::move(w));
  }
  return features;
}

}  // namespace jpqd::data
