#include "api/runtime/prediction.h"

#include <algorithm>
#include <limits>

#include "common/error.h"

namespace jpqd::runtime::prediction {

Request check_request(const ModelInfo& info, const std::vector<std::string>& texts,
                      const std::vector<std::string>& pairs, const PredictOptions& options) {
  JPQD_CHECK(!texts.empty(), InvalidArgument, "predict: no texts");
  JPQD_CHECK(pairs.empty() || pairs.size() == texts.size(), InvalidArgument, "predict: ", pairs.size(),
             " text pairs for ", texts.size(), " texts");
  JPQD_CHECK(options.batch_size >= 1 && options.batch_size <= kMaxBatchSize, InvalidArgument, "predict: batch_size ",
             options.batch_size, " outside 1..", kMaxBatchSize);
  JPQD_CHECK(options.max_length >= 0 && options.max_length <= info.max_sequence_length, InvalidArgument,
             "predict: max_length ", options.max_length, " outside 0..", info.max_sequence_length,
             " (0: the model's maximum)");
  const bool qa = info.task == Task::kQuestionAnswering;
  JPQD_CHECK(!qa || !pairs.empty(), InvalidArgument,
             "predict: a question answering model needs text pairs (texts the questions, pairs the contexts)");
  JPQD_CHECK(!qa || options.max_answer_length >= 1, InvalidArgument, "predict: max_answer_length ",
             options.max_answer_length, " must be at least 1");
  Request r{texts, pairs, options};
  r.max_length = options.max_length > 0 ? options.max_length : info.max_sequence_length;
  return r;
}

BatchResult run_batch(const Model& model, const text::Tokenizer& tokenizer, const Request& request, size_t begin,
                      size_t end) {
  const bool qa = model.info().task == Task::kQuestionAnswering;
  BatchResult out;
  int64_t seq_len = 1;
  for (size_t i = begin; i < end; ++i) {
    const std::optional<std::string> pair =
        request.pairs.empty() ? std::nullopt : std::optional<std::string>(request.pairs[i]);
    // A question answering context is what may be cut; the question must stay whole.
    out.encodings.push_back(tokenizer.encode(request.texts[i], pair, request.max_length,
                                             qa ? text::Truncation::kOnlySecond : text::Truncation::kLongestFirst));
    seq_len = std::max<int64_t>(seq_len, static_cast<int64_t>(out.encodings.back().input_ids.size()));
  }
  const auto batch = static_cast<int64_t>(end - begin);
  std::vector<int64_t> ids(static_cast<size_t>(batch * seq_len), tokenizer.pad_id()), mask(ids.size(), 0),
      types(ids.size(), 0);
  for (int64_t b = 0; b < batch; ++b) {
    const text::Encoding& e = out.encodings[static_cast<size_t>(b)];
    std::copy(e.input_ids.begin(), e.input_ids.end(), ids.begin() + b * seq_len);
    std::copy(e.token_type_ids.begin(), e.token_type_ids.end(), types.begin() + b * seq_len);
    std::fill_n(mask.begin() + b * seq_len, e.input_ids.size(), 1);
  }
  out.logits = model.run(ids, mask, types, batch, seq_len);
  return out;
}

namespace {

// HF's question answering pipeline without windows: the (start, end) over context tokens, end - start below
// max_answer_length, with the largest start + end logit.
Span best_span(const float* start, const float* end, const text::Encoding& e, const std::string& context,
               int64_t max_answer_length) {
  Span best;
  best.score = -std::numeric_limits<float>::infinity();
  const auto n = static_cast<int64_t>(e.input_ids.size());
  for (int64_t s = 0; s < n; ++s) {
    if (e.sequence_ids[static_cast<size_t>(s)] != 1) continue;
    for (int64_t t = s; t < n && t < s + max_answer_length; ++t) {
      if (e.sequence_ids[static_cast<size_t>(t)] != 1) break;
      const float score = start[s] + end[t];
      if (score > best.score) {
        best.score = score;
        best.start_token = s;
        best.end_token = t;
      }
    }
  }
  if (best.start_token < 0) return best;  // no context token survived truncation
  best.start_byte = e.offsets[static_cast<size_t>(best.start_token)].first;
  best.end_byte = e.offsets[static_cast<size_t>(best.end_token)].second;
  best.text = context.substr(static_cast<size_t>(best.start_byte), static_cast<size_t>(best.end_byte - best.start_byte));
  return best;
}

}  // namespace

Predictions collect(const ModelInfo& info, const Request& request, std::vector<BatchResult>& batches) {
  Predictions p;
  p.task = info.task;
  p.count = static_cast<int64_t>(request.texts.size());
  if (info.task == Task::kSequenceClassification) {
    p.num_labels = info.num_labels;
    p.logits.reserve(static_cast<size_t>(p.count * p.num_labels));
    for (BatchResult& b : batches) p.logits.insert(p.logits.end(), b.logits.logits.begin(), b.logits.logits.end());
    if (info.num_labels > 1 && info.problem_type != "regression") {
      for (int64_t i = 0; i < p.count; ++i) {
        const float* row = p.logits.data() + i * p.num_labels;
        p.labels.push_back(std::max_element(row, row + p.num_labels) - row);
      }
    }
    return p;
  }
  for (const BatchResult& b : batches)
    for (const auto& e : b.encodings) p.seq_len = std::max<int64_t>(p.seq_len, static_cast<int64_t>(e.input_ids.size()));
  const float kNone = -std::numeric_limits<float>::infinity();
  p.start_logits.assign(static_cast<size_t>(p.count * p.seq_len), kNone);
  p.end_logits.assign(p.start_logits.size(), kNone);
  int64_t row = 0;
  for (const BatchResult& b : batches) {
    for (size_t k = 0; k < b.encodings.size(); ++k, ++row) {
      const text::Encoding& e = b.encodings[k];
      const float* start = b.logits.start_logits.data() + static_cast<int64_t>(k) * b.logits.seq_len;
      const float* end = b.logits.end_logits.data() + static_cast<int64_t>(k) * b.logits.seq_len;
      std::copy_n(start, e.input_ids.size(), p.start_logits.begin() + row * p.seq_len);
      std::copy_n(end, e.input_ids.size(), p.end_logits.begin() + row * p.seq_len);
      p.spans.push_back(best_span(start, end, e, request.pairs[static_cast<size_t>(row)], request.options.max_answer_length));
    }
  }
  return p;
}

}  // namespace jpqd::runtime::prediction
