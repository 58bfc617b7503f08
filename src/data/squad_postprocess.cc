#include "data/squad_postprocess.h"

#include <algorithm>
#include <numeric>

#include "common/error.h"

namespace jpqd::data {

namespace {

// Indices of the n largest logits, largest first; among equal logits the later index first, as
// numpy's argsort(...)[-1 : -n - 1 : -1] gives them.
std::vector<int64_t> top_indices(const std::vector<float>& logits, int64_t n) {
  std::vector<int64_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return logits[static_cast<size_t>(a)] < logits[static_cast<size_t>(b)];
  });
  std::reverse(order.begin(), order.end());
  if (static_cast<int64_t>(order.size()) > n) order.resize(static_cast<size_t>(n));
  return order;
}

}  // namespace

std::vector<QaPrediction> postprocess_qa_predictions(const std::vector<SquadExample>& examples,
                                                     const std::vector<SquadFeature>& features,
                                                     const std::vector<std::vector<float>>& start_logits,
                                                     const std::vector<std::vector<float>>& end_logits,
                                                     const QaPostprocessOptions& options) {
  JPQD_CHECK(start_logits.size() == features.size() && end_logits.size() == features.size(), InvalidArgument,
             "QA post-processing: ", features.size(), " features but ", start_logits.size(), " start and ",
             end_logits.size(), " end logit rows");
  JPQD_CHECK(options.n_best_size > 0 && options.max_answer_length > 0, InvalidArgument,
             "QA post-processing: n_best_size and max_answer_length must be positive");
  std::vector<std::vector<size_t>> features_of(examples.size());
  for (size_t f = 0; f < features.size(); ++f) {
    const int64_t e = features[f].example_index;
    JPQD_CHECK(e >= 0 && e < static_cast<int64_t>(examples.size()), InvalidArgument, "QA post-processing: feature ", f,
               " belongs to example ", e, " of ", examples.size());
    features_of[static_cast<size_t>(e)].push_back(f);
  }

  std::vector<QaPrediction> predictions;
  predictions.reserve(examples.size());
  for (size_t e = 0; e < examples.size(); ++e) {
    std::vector<QaPrediction> candidates;
    for (size_t f : features_of[e]) {
      const auto& offsets = features[f].offsets;
      const auto& starts = start_logits[f];
      const auto& ends = end_logits[f];
      const auto tokens = static_cast<int64_t>(offsets.size());
      const auto in_context = [&](int64_t i) { return i < tokens && offsets[static_cast<size_t>(i)].first >= 0; };
      for (int64_t s : top_indices(starts, options.n_best_size)) {
        for (int64_t t : top_indices(ends, options.n_best_size)) {
          if (!in_context(s) || !in_context(t)) continue;
          if (t < s || t - s + 1 > options.max_answer_length) continue;
          QaPrediction p;
          p.begin = offsets[static_cast<size_t>(s)].first;
          p.end = offsets[static_cast<size_t>(t)].second;
          p.score = static_cast<double>(starts[static_cast<size_t>(s)]) + static_cast<double>(ends[static_cast<size_t>(t)]);
          candidates.push_back(p);
        }
      }
    }
    // max_element keeps the first of equal scores, as Python's stable sorted() does in run_qa.
    auto best = std::max_element(candidates.begin(), candidates.end(),
                                 [](const QaPrediction& a, const QaPrediction& b) { return a.score < b.score; });
    QaPrediction chosen;
    if (best == candidates.end()) {
      chosen.text = "empty";
    } else {
      chosen = *best;
      const std::string& context = examples[e].context;
      JPQD_CHECK(chosen.begin <= chosen.end && chosen.end <= static_cast<int64_t>(context.size()), InvalidArgument,
                 "QA post-processing: offsets [", chosen.begin, ", ", chosen.end, ") outside the context of question \"",
                 examples[e].id, "\"");
      chosen.text = context.substr(static_cast<size_t>(chosen.begin), static_cast<size_t>(chosen.end - chosen.begin));
    }
    predictions.push_back(std::move(chosen));
  }
  return predictions;
}

}  // namespace jpqd::data
