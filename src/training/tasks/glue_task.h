// GLUE fine-tuning data as transformers' run_glue.py prepares it: a task's TSVs (the shipped
// data/glue/<TASK>/ by default, or --data_dir; --train_file/--validation_file/--test_file replace a split) or those files alone, tokenized to
// --max_seq_length (padded to it unless --pad_to_max_length false), and the task's metrics.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "data/custom_files.h"
#include "data/label_space.h"
#include "text/tokenizer.h"
#include "training/dataset.h"
#include "training/trainer.h"

namespace jpqd::training {

struct GlueDataOptions {
  std::string task_name;  // empty: custom files
  std::string data_dir;   // folder with the task's TSVs; empty: <shipped data>/glue/<GLUE folder>
  data::CustomDataFiles files;
  int64_t max_seq_length = 128;
  bool pad_to_max_length = true;
  int64_t max_train_samples = -1;
  int64_t max_eval_samples = -1;
  int64_t max_predict_samples = -1;
  int64_t threads = 0;  // tokenizer threads; 0 = all cores
};

struct EvalSplit {
  std::string name;           // "validation", "validation_matched", "validation_mismatched"
  std::string metric_suffix;  // "" or "_mm" (run_glue's name for mnli mismatched)
  std::shared_ptr<TokenizedDataset> dataset;
};

struct GlueDatasets {
  std::string task_name;  // empty for custom files
  data::LabelSpace label_space;
  std::vector<std::string> label_names;  // id2label for config.json
  std::shared_ptr<TokenizedDataset> train;
  std::vector<EvalSplit> eval;
  std::shared_ptr<TokenizedDataset> predict;  // --test_file, or else the first evaluation split
};

struct GlueSplitsWanted {
  bool train = false;
  bool eval = false;
  bool predict = false;
};

// teacher_tokenizer: a distillation teacher's own tokenizer when it differs from the student's (null: the
// teacher reads the student's ids); every split then also carries each example in the teacher's ids.
GlueDatasets build_glue_datasets(const text::Tokenizer& tokenizer, const GlueDataOptions& options,
                                 const std::string& shipped_data_dir, GlueSplitsWanted wanted,
                                 const text::Tokenizer* teacher_tokenizer = nullptr);

// accuracy / f1 / matthews_correlation / pearson / spearmanr as the task defines them (custom files:
// accuracy, or pearson and spearmanr for regression), from evaluation logits.
ComputeMetrics glue_compute_metrics(const GlueDatasets& datasets);

// One JSON line per example: {"index", "prediction" (label name or score), "logits": [...], "label"?}.
std::string prediction_lines(const GlueDatasets& datasets, const TokenizedDataset& dataset,
                             const EvalPrediction& prediction);

}  // namespace jpqd::training
