// Masked-language-model data as transformers' run_mlm.py prepares it: plain-text files with one
// document per line; --line_by_line keeps one document per example (truncated), otherwise all
// documents are tokenized with [CLS]/[SEP], concatenated and cut into max_seq_length blocks (the
// remainder dropped). The first validation_split_percentage % of the documents are held out.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "text/tokenizer.h"
#include "training/dataset.h"
#include "training/mlm_masking.h"

namespace jpqd::training {

struct MlmDataOptions {
  std::vector<std::string> train_files;
  std::string validation_file;  // empty: hold out validation_split_percentage of the train documents
  bool line_by_line = false;
  int64_t max_seq_length = 128;
  double validation_split_percentage = 5.0;
  int64_t max_train_samples = -1;
  int64_t max_eval_samples = -1;
  double mlm_probability = 0.15;
  bool whole_word_mask = false;
  int64_t threads = 0;  // tokenizer threads; 0 = all cores
};

struct MlmDatasets {
  std::shared_ptr<TokenizedDataset> train;  // null without training files (evaluation only)
  std::shared_ptr<TokenizedDataset> eval;
};

MlmDatasets build_mlm_datasets(const text::Tokenizer& tokenizer, const MlmDataOptions& options);

MaskingOptions masking_options_for(const text::Tokenizer& tokenizer, const MlmDataOptions& options);

}  // namespace jpqd::training
