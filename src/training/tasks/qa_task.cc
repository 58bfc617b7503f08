#include "training/tasks/qa_task.h"

#include <unordered_map>

#include "common/error.h"
#include "common/logging.h"
#include "data/squad_metrics.h"

namespace jpqd::training {

namespace {

std::vector<data::SquadExample> take(std::vector<data::SquadExample> examples, int64_t max_samples) {
  if (max_samples >= 0 && static_cast<int64_t>(examples.size()) > max_samples)
    examples.resize(static_cast<size_t>(max_samples));
  return examples;
}

std::shared_ptr<TokenizedDataset> to_dataset(const std::vector<data::SquadFeature>& features, TargetKind target,
                                             const QaDataOptions& options, int64_t pad_id) {
  std::vector<Row> rows;
  rows.reserve(features.size());
  for (const auto& f : features) rows.push_back(f.feature);
  return std::make_shared<TokenizedDataset>(std::move(rows), target,
                                            options.features.pad_to_max_length ? options.features.max_seq_length : 0,
                                            pad_id);
}

std::vector<std::vector<float>> rows_of(const torch::Tensor& logits) {
  const auto t = logits.to(torch::kFloat32).contiguous();
  std::vector<std::vector<float>> out(static_cast<size_t>(t.size(0)));
  for (int64_t i = 0; i < t.size(0); ++i)
    out[static_cast<size_t>(i)].assign(t[i].data_ptr<float>(), t[i].data_ptr<float>() + t.size(1));
  return out;
}

std::vector<data::QaPrediction> answers(const QaDatasets& d, const EvalPrediction& p,
                                        const data::QaPostprocessOptions& options) {
  return data::postprocess_qa_predictions(d.eval_examples, d.eval_features, rows_of(p.start_logits),
                                          rows_of(p.end_logits), options);
}

}  // namespace

QaDatasets build_qa_datasets(const text::Tokenizer& tokenizer, const QaDataOptions& options, bool want_train,
                             bool want_eval) {
  const auto& f = options.features;
  JPQD_CHECK(f.max_seq_length > 0 && f.max_seq_length <= tokenizer.model_max_length(), InvalidArgument,
             "--max_seq_length ", f.max_seq_length, " must be in [1, ", tokenizer.model_max_length(), "]");
  JPQD_CHECK(f.doc_stride > 0 && f.doc_stride < f.max_seq_length, InvalidArgument, "--doc_stride ", f.doc_stride,
             " must be positive and below --max_seq_length ", f.max_seq_length);
  QaDatasets out;
  data::SquadDataset train, eval;
  if (want_train) {
    JPQD_CHECK(!options.train_file.empty(), InvalidArgument, "--do_train needs --train_file (SQuAD JSON)");
    train = data::read_squad_file(options.train_file);
  }
  if (want_eval) {
    JPQD_CHECK(!options.validation_file.empty(), InvalidArgument, "--do_eval needs --validation_file (SQuAD JSON)");
    eval = data::read_squad_file(options.validation_file);
  }
  if (options.train_articles > 0) {
    if (want_train) train = data::split_squad_by_article(train, options.train_articles).first;
    if (want_eval) eval = data::split_squad_by_article(eval, options.train_articles).rest;
    out.split_note = str_cat("trained on articles 0-", options.train_articles - 1, " of ", options.train_file,
                             ", evaluated on the other articles of ", options.validation_file);
    log_info("SQuAD split by article: ", out.split_note);
  }
  const auto pad = tokenizer.pad_id();
  // The dataset pads each batch itself (to max_seq_length when asked), so windows stay unpadded here.
  data::SquadFeatureOptions unpadded = f;
  unpadded.pad_to_max_length = false;
  if (want_train) {
    auto features = data::prepare_squad_features(take(train.examples, options.max_train_samples), tokenizer, unpadded);
    out.train = to_dataset(features, TargetKind::kSpan, options, pad);
    log_info("SQuAD training: ", train.examples.size(), " questions, ", features.size(), " windows");
  }
  if (want_eval) {
    out.eval_examples = take(eval.examples, options.max_eval_samples);
    out.eval_features = data::prepare_squad_features(out.eval_examples, tokenizer, unpadded);
    out.eval = to_dataset(out.eval_features, TargetKind::kNone, options, pad);
    log_info("SQuAD evaluation: ", out.eval_examples.size(), " questions, ", out.eval_features.size(), " windows");
  }
  return out;
}

ComputeMetrics qa_compute_metrics(std::shared_ptr<const QaDatasets> datasets, data::QaPostprocessOptions options) {
  return [datasets, options](const EvalPrediction& p) -> Json {
    const auto predicted = answers(*datasets, p, options);
    std::unordered_map<std::string, std::string> by_id;
    for (size_t i = 0; i < predicted.size(); ++i) by_id[datasets->eval_examples[i].id] = predicted[i].text;
    return data::evaluate_squad(datasets->eval_examples, by_id).to_json();
  };
}

Json qa_predictions_json(const QaDatasets& datasets, const EvalPrediction& prediction,
                         const data::QaPostprocessOptions& options) {
  const auto predicted = answers(datasets, prediction, options);
  Json out = Json::object();
  for (size_t i = 0; i < predicted.size(); ++i) out[datasets.eval_examples[i].id] = predicted[i].text;
  return out;
}

}  // namespace jpqd::training
