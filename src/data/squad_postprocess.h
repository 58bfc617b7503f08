// Start/end logits of every window back to one answer text per question, as run_qa's
// postprocess_qa_predictions does for SQuAD v1.1: the n_best_size highest start and end logits of
// each window are paired; pairs outside the context, with end < start or longer than
// max_answer_length tokens are skipped; the best score (start + end logit) over all windows of the
// question wins, and its text is cut from the context by the offsets.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/squad.h"
#include "data/squad_features.h"

namespace jpqd::data {

struct QaPostprocessOptions {
  int64_t n_best_size = 20;
  int64_t max_answer_length = 30;
};

struct QaPrediction {
  std::string text;  // "empty" when no window has a valid span, as run_qa writes
  double score = 0;
  int64_t begin = -1;  // byte range in the context; -1 for the "empty" answer
  int64_t end = -1;
};

// One prediction per example (same order). start_logits[f] / end_logits[f] belong to features[f]
// and may be longer than its tokens (padded batches); the extra positions are ignored.
std::vector<QaPrediction> postprocess_qa_predictions(const std::vector<SquadExample>& examples,
                                                     const std::vector<SquadFeature>& features,
                                                     const std::vector<std::vector<float>>& start_logits,
                                                     const std::vector<std::vector<float>>& end_logits,
                                                     const QaPostprocessOptions& options = {});

}  // namespace jpqd::data
