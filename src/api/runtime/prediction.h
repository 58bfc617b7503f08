// The steps of Model::predict and Session::predict: check the request, tokenize and run one batch, turn the
// batches' logits into Predictions. A Session runs the batches on its streams, a Model on the calling thread.
#pragma once

#include <string>
#include <vector>

#include "jpqd/runtime.h"
#include "text/tokenizer.h"

namespace jpqd::runtime::prediction {

struct Request {
  const std::vector<std::string>& texts;
  const std::vector<std::string>& pairs;
  PredictOptions options;
  int64_t max_length = 0;  // resolved: options.max_length or the model's maximum
};

// InvalidArgument naming what is wrong with the request; returns it with max_length resolved.
Request check_request(const ModelInfo& info, const std::vector<std::string>& texts,
                      const std::vector<std::string>& pairs, const PredictOptions& options);

struct BatchResult {
  Logits logits;
  std::vector<text::Encoding> encodings;
};

// Texts [begin, end) of the request, tokenized, padded to the longest of them and run.
BatchResult run_batch(const Model& model, const text::Tokenizer& tokenizer, const Request& request, size_t begin,
                      size_t end);

// The batches' results (in order, covering every text) as Predictions.
Predictions collect(const ModelInfo& info, const Request& request, std::vector<BatchResult>& batches);

}  // namespace jpqd::runtime::prediction
