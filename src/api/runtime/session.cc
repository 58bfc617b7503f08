// Session: a Model with its own StreamPool; predict() spreads its batches over the streams.
#include <optional>

#include "api/runtime/prediction.h"
#include "common/error.h"
#include "jpqd/runtime.h"
#include "runtime/model_impl.h"

namespace jpqd::runtime {

struct Session::State {
  std::optional<Model> model;  // set once, before any request
  ThreadPlan plan;
  std::unique_ptr<StreamPool> pool;
};

namespace {

// Every future is waited for before the first failure is rethrown: the jobs refer to the caller's data.
void wait_all(std::vector<std::future<Logits>>& futures) {
  std::exception_ptr failure;
  for (auto& f : futures) {
    try {
      f.get();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

std::shared_ptr<Session::State> Session::start(const SessionOptions& options) {
  auto state = std::make_shared<State>();
  state->plan = plan_threads(options.hint, options.threads, options.streams);
  state->pool = std::make_unique<StreamPool>(state->plan.streams, state->plan.threads_per_stream);
  return state;
}

Session Session::open(const std::string& model_path, const SessionOptions& options) {
  auto state = start(options);
  std::optional<Model> loaded;
  state->pool->submit([&] {
    loaded.emplace(Model::load(model_path));
    return Logits{};
  }).get();
  state->model = std::move(loaded);
  return Session(std::move(state));
}

Session::Session(Model model, const SessionOptions& options) {
  auto state = start(options);
  state->model.emplace(std::move(model));
  state_ = std::move(state);
}

const Model& Session::model() const { return *state_->model; }
ThreadPlan Session::plan() const { return state_->plan; }

Predictions Session::predict(const std::vector<std::string>& texts, const std::vector<std::string>& text_pairs,
                             const PredictOptions& options) const {
  const Model& model = *state_->model;
  const prediction::Request request = prediction::check_request(model.info(), texts, text_pairs, options);
  // Built here, before the batches need it on their streams.
  model.tokenizer();
  const text::Tokenizer& tokenizer = *model.impl_->tokenizer;
  const auto batch_size = static_cast<size_t>(request.options.batch_size);
  const size_t count = (texts.size() + batch_size - 1) / batch_size;
  std::vector<prediction::BatchResult> batches(count);
  std::vector<std::future<Logits>> futures;
  futures.reserve(count);
  for (size_t k = 0; k < count; ++k) {
    futures.push_back(state_->pool->submit([&, k] {
      const size_t begin = k * batch_size;
      batches[k] = prediction::run_batch(model, tokenizer, request, begin,
                                         std::min(texts.size(), begin + batch_size));
      return Logits{};
    }));
  }
  wait_all(futures);
  return prediction::collect(model.info(), request, batches);
}

Logits Session::run(const std::vector<int64_t>& input_ids, const std::vector<int64_t>& attention_mask,
                    const std::vector<int64_t>& token_type_ids, int64_t batch, int64_t seq_len) const {
  JPQD_CHECK(batch <= kMaxBatchSize, InvalidArgument, "run: batch ", batch, " above the limit of ", kMaxBatchSize);
  const Model& model = *state_->model;
  return state_->pool
      ->submit([&] { return model.run(input_ids, attention_mask, token_type_ids, batch, seq_len); })
      .get();
}

}  // namespace jpqd::runtime
