#include "data/squad_features.h"

#include <algorithm>

#include "common/error.h"
#include "common/parallel_for.h"

namespace jpqd::data {

namespace {

constexpr std::pair<int64_t, int64_t> kNoOffset{-1, -1};

void append(std::vector<int64_t>& ids, std::vector<int64_t>& types, std::vector<std::pair<int64_t, int64_t>>& offsets,
            const std::vector<int64_t>& more_ids, const std::vector<int64_t>& more_types) {
  ids.insert(ids.end(), more_ids.begin(), more_ids.end());
  types.insert(types.end(), more_types.begin(), more_types.end());
  offsets.resize(ids.size(), kNoOffset);
}

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

PairLayout PairLayout::bert(int64_t cls, int64_t sep, int64_t pad) {
  PairLayout layout;
  layout.before_question = {cls};
  layout.between = {sep};
  layout.after_context = {sep};
  layout.pad_id = pad;
  return layout;
}

PairLayout pair_layout_of(const text::Tokenizer& tokenizer) {
  // A one-token question and a one-token context through the post-processor: the sequence ids then
  // say which positions are special, and where.
  text::pipeline::EncodedText question, context;
  for (auto* e : {&question, &context}) {
    e->ids = {0};
    e->type_ids = {0};
    e->tokens = {""};
    e->offsets = {{0, 0}};
    e->special_tokens_mask = {0};
    e->attention_mask = {1};
    e->sequence_ids = {0};
  }
  const text::pipeline::EncodedText joined = tokenizer.add_special_tokens(question, &context);
  PairLayout layout;
  layout.before_question.clear(), layout.between.clear(), layout.after_context.clear();
  layout.before_question_types.clear(), layout.between_types.clear(), layout.after_context_types.clear();
  int part = 0;  // 0 before the question, 1 between, 2 after the context
  for (size_t i = 0; i < joined.size(); ++i) {
    const int sequence = joined.sequence_ids[i];
    if (sequence >= 0) {
      JPQD_CHECK(sequence == part, InvalidArgument, tokenizer.files().where,
                 ": the tokenizer's pair template does not put the question before the context");
      (sequence == 0 ? layout.question_type : layout.context_type) = joined.type_ids[i];
      ++part;
      continue;
    }
    auto& ids = part == 0 ? layout.before_question : part == 1 ? layout.between : layout.after_context;
    auto& types = part == 0 ? layout.before_question_types : part == 1 ? layout.between_types : layout.after_context_types;
    ids.push_back(joined.ids[i]);
    types.push_back(joined.type_ids[i]);
  }
  JPQD_CHECK(part == 2, InvalidArgument, tokenizer.files().where, ": the tokenizer's pair template drops a text");
  layout.pad_id = tokenizer.pad_id();
  return layout;
}

std::vector<SquadFeature> make_squad_windows(const TokenizedText& question, const TokenizedText& context,
                                             const std::optional<std::pair<int64_t, int64_t>>& answer,
                                             const PairLayout& layout, const SquadFeatureOptions& options,
                                             int64_t example_index) {
  JPQD_CHECK(options.doc_stride >= 0, InvalidArgument, "doc_stride ", options.doc_stride, " must not be negative");
  JPQD_CHECK(options.max_query_length >= 0, InvalidArgument, "max_query_length ", options.max_query_length,
             " must not be negative");
  auto query_length = static_cast<int64_t>(question.ids.size());
  if (options.max_query_length > 0) query_length = std::min(query_length, options.max_query_length);
  const int64_t capacity = options.max_seq_length - query_length - layout.special_tokens();
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
    append(x.input_ids, x.token_type_ids, f.offsets, layout.before_question, layout.before_question_types);
    append(x.input_ids, x.token_type_ids, f.offsets,
           std::vector<int64_t>(question.ids.begin(), question.ids.begin() + query_length),
           std::vector<int64_t>(static_cast<size_t>(query_length), layout.question_type));
    append(x.input_ids, x.token_type_ids, f.offsets, layout.between, layout.between_types);
    const auto first_context = static_cast<int64_t>(x.input_ids.size());
    for (int64_t i = begin; i < end; ++i) {
      x.input_ids.push_back(context.ids[static_cast<size_t>(i)]);
      x.token_type_ids.push_back(layout.context_type);
      f.offsets.push_back(context.offsets[static_cast<size_t>(i)]);
    }
    append(x.input_ids, x.token_type_ids, f.offsets, layout.after_context, layout.after_context_types);
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
      x.input_ids.resize(length, layout.pad_id);
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
                                                 const text::Tokenizer& tokenizer,
                                                 const SquadFeatureOptions& options) {
  const PairLayout layout = pair_layout_of(tokenizer);
  JPQD_CHECK(options.max_seq_length > layout.special_tokens(), InvalidArgument, "max_seq_length ",
             options.max_seq_length, " is too small for question answering");
  auto tokenize = [&](const std::string& text) {
    text::pipeline::EncodedText e = tokenizer.tokenize(text);
    return TokenizedText{std::move(e.ids), std::move(e.offsets)};
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
      auto windows = make_squad_windows(tokenize(ex.question), context, answer, layout, options, static_cast<int64_t>(i));
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
