// Model::tokenizer and Model::predict, the text-level API over Model::run (defined here rather than in
// runtime/, like run_text, so that only callers of the text API link the tokenizer).
#include <mutex>

#include "api/runtime/prediction.h"
#include "api/runtime/tokenizer_impl.h"
#include "format/model_tokenizer.h"
#include "jpqd/runtime.h"
#include "runtime/model_impl.h"

namespace jpqd::runtime {

Tokenizer Model::tokenizer() const {
  // The same once_flag as run_text: one tokenizer per loaded model, whichever is called first.
  std::call_once(impl_->tokenizer_once, [&] {
    impl_->tokenizer = std::make_shared<const text::Tokenizer>(
        format::model_tokenizer(impl_->engine->file(), impl_->engine->metadata()));
  });
  return Tokenizer(std::make_shared<const Tokenizer::Impl>(Tokenizer::Impl{impl_->tokenizer}));
}

Predictions Model::predict(const std::vector<std::string>& texts, const std::vector<std::string>& text_pairs,
                           const PredictOptions& options) const {
  const prediction::Request request = prediction::check_request(info(), texts, text_pairs, options);
  tokenizer();  // builds impl_->tokenizer once
  const text::Tokenizer& library_tokenizer = *impl_->tokenizer;
  std::vector<prediction::BatchResult> batches;
  const auto batch_size = static_cast<size_t>(request.options.batch_size);
  for (size_t begin = 0; begin < texts.size(); begin += batch_size)
    batches.push_back(
        prediction::run_batch(*this, library_tokenizer, request, begin, std::min(texts.size(), begin + batch_size)));
  return prediction::collect(info(), request, batches);
}

}  // namespace jpqd::runtime
