// Evaluation and prediction: sharded over data-parallel ranks, gathered back whole on every rank.
#include "common/error.h"
#include "common/progress_bar.h"
#include "training/distributed/data_parallel.h"
#include "training/trainer.h"
#include "training/trainer_internal.h"

namespace jpqd::training {

EvalPrediction Trainer::run_evaluation(const TokenizedDataset& dataset, bool keep_predictions, double* loss_sum) {
  torch::NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  std::vector<torch::Tensor> logits, starts, ends, labels;
  const int64_t bs = args_.per_device_eval_batch_size;
  const EvalShard shard = parallel_->eval_shard(dataset.size());
  const bool sharded = shard.end - shard.begin < dataset.size();
  const int64_t batches = detail::ceil_div(shard.end - shard.begin, bs);
  ProgressBar progress("eval", batches, "batches");
  for (int64_t b = 0; b < batches; ++b) {
    const int64_t begin = shard.begin + b * bs;
    const Batch batch = to_device(dataset.batch(sequential_indices(begin, std::min(shard.end, begin + bs)),
                                                detail::batch_seed(args_.seed, -1, b, parallel_->rank())),
                                  device_);
    model::BertOutputs out = model_->forward(batch.inputs);
    if (loss_sum && dataset.target() != TargetKind::kNone)
      *loss_sum += loss_from_outputs(batch, out, nullptr).item<double>() * static_cast<double>(batch.size);
    if (keep_predictions) {
      if (out.logits.defined()) logits.push_back(out.logits);
      if (out.start_logits.defined()) {
        starts.push_back(out.start_logits);
        ends.push_back(out.end_logits);
      }
      if (batch.labels.labels.defined()) labels.push_back(batch.labels.labels);
    }
    progress.update();
  }
  progress.close();
  if (was_training) model_->train();
  if (loss_sum && sharded) *loss_sum = parallel_->sum(*loss_sum);
  // Predictions come back to the CPU, whole: every rank's shard in rank order.
  auto gathered = [&](std::vector<torch::Tensor>& parts) {
    torch::Tensor all = parts.empty() ? torch::Tensor() : torch::cat(parts).cpu();
    return sharded && all.defined() ? parallel_->gather_rows(all) : all;
  };
  // Batches padded dynamically (and shards) have different lengths: span logits are padded with a large
  // negative value to the widest.
  auto gathered_padded = [&](std::vector<torch::Tensor>& parts) {
    int64_t width = 0;
    for (auto& t : parts) width = std::max(width, t.size(1));
    if (sharded) width = parallel_->max(width);
    for (auto& t : parts)
      if (t.size(1) < width) t = torch::constant_pad_nd(t, {0, width - t.size(1)}, -1e4);
    return gathered(parts);
  };
  EvalPrediction p;
  p.logits = gathered(logits);
  if (!starts.empty()) {
    p.start_logits = gathered_padded(starts);
    p.end_logits = gathered_padded(ends);
  }
  p.labels = gathered(labels);
  return p;
}

EvalPrediction Trainer::predict(const TokenizedDataset& dataset) { return run_evaluation(dataset, true, nullptr); }

Json Trainer::evaluate(const TokenizedDataset* dataset, const std::string& prefix) {
  const TokenizedDataset* data = dataset ? dataset : eval_dataset_.get();
  JPQD_CHECK(data && data->size() > 0, InvalidArgument, "the evaluation dataset is empty");
  const auto start = std::chrono::steady_clock::now();
  double loss_sum = 0.0;
  EvalPrediction prediction = run_evaluation(*data, static_cast<bool>(compute_metrics_), &loss_sum);
  const double runtime = detail::seconds_since(start);
  Json metrics = Json::object();
  if (data->target() != TargetKind::kNone) metrics[prefix + "_loss"] = loss_sum / static_cast<double>(data->size());
  if (compute_metrics_) {
    const Json task_metrics = compute_metrics_(prediction);  // items() of a temporary would dangle
    for (const auto& item : task_metrics.items()) metrics[prefix + "_" + item.key()] = item.value();
  }
  metrics[prefix + "_runtime"] = detail::round4(runtime);
  metrics[prefix + "_samples"] = data->size();
  metrics[prefix + "_samples_per_second"] = detail::round4(static_cast<double>(data->size()) / runtime);
  log(metrics);
  return metrics;
}

}  // namespace jpqd::training
