// SQuAD v1.1 question answering as transformers' run_qa.py prepares it: windows of max_seq_length
// tokens with doc_stride overlap, start/end labels for training, and for evaluation the windows' logits
// post-processed into answer texts and scored with the official exact match and F1.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "data/squad.h"
#include "data/squad_features.h"
#include "data/squad_postprocess.h"
#include "text/tokenizer.h"
#include "training/dataset.h"
#include "training/trainer.h"

namespace jpqd::training {

struct QaDataOptions {
  std::string train_file;
  std::string validation_file;
  // > 0: train on the first N articles of train_file and evaluate on the other articles of
  // validation_file (the same file twice splits SQuAD dev, the only SQuAD file shipped here).
  int64_t train_articles = 0;
  data::SquadFeatureOptions features;
  data::QaPostprocessOptions postprocess;
  int64_t max_train_samples = -1;
  int64_t max_eval_samples = -1;
};

struct QaDatasets {
  std::vector<data::SquadExample> eval_examples;
  std::vector<data::SquadFeature> eval_features;
  std::shared_ptr<TokenizedDataset> train;
  std::shared_ptr<TokenizedDataset> eval;
  std::string split_note;  // how the data was split, for logs and results
};

QaDatasets build_qa_datasets(const text::Tokenizer& tokenizer, const QaDataOptions& options, bool want_train,
                             bool want_eval);

// exact_match and f1 (percent) from the evaluation windows' start/end logits.
ComputeMetrics qa_compute_metrics(std::shared_ptr<const QaDatasets> datasets, data::QaPostprocessOptions options);

// {"id": answer text} for every evaluation question, as run_qa's eval_predictions.json.
Json qa_predictions_json(const QaDatasets& datasets, const EvalPrediction& prediction,
                         const data::QaPostprocessOptions& options);

}  // namespace jpqd::training
