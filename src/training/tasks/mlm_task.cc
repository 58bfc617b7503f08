#include "training/tasks/mlm_task.h"

#include <algorithm>
#include <fstream>

#include "common/error.h"
#include "common/logging.h"
#include "common/parallel_for.h"
#include "common/progress_bar.h"

namespace jpqd::training {

namespace {

std::vector<std::string> read_documents(const std::string& path) {
  std::ifstream in(path);
  JPQD_CHECK(in.good(), IoError, path, ": cannot open");
  std::vector<std::string> docs;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // run_mlm drops empty lines
    docs.push_back(std::move(line));
  }
  return docs;
}

std::vector<Row> to_examples(const text::Tokenizer& tokenizer, const std::vector<std::string>& docs,
                             const MlmDataOptions& options, const std::string& what) {
  // Documents are tokenized on all worker threads into their own slots, then joined in order: the
  // rows are those of a serial pass.
  std::vector<std::vector<int64_t>> ids(docs.size());
  {
    ProgressBar progress("tokenize " + what, static_cast<int64_t>(docs.size()), "docs");
    parallel_for(
        docs.size(), worker_threads(options.threads),
        [&](size_t i) {
          ids[i] = options.line_by_line
                       ? tokenizer.encode(docs[i], std::nullopt, options.max_seq_length, text::Truncation::kLongestFirst)
                             .input_ids
                       : tokenizer.encode(docs[i]).input_ids;
        },
        [&](size_t done) { progress.update(static_cast<int64_t>(done)); });
    progress.close();
  }
  std::vector<Row> rows;
  if (options.line_by_line) {
    rows.reserve(ids.size());
    for (auto& doc : ids) {
      Row row;
      row.input_ids = std::move(doc);
      row.token_type_ids.assign(row.input_ids.size(), 0);
      rows.push_back(std::move(row));
    }
    return rows;
  }
  // The documents concatenated and cut into blocks, the remainder dropped; each document is freed
  // once copied, so the token stream never exists twice.
  const auto block = static_cast<size_t>(options.max_seq_length);
  std::vector<int64_t> current;
  current.reserve(block);
  for (auto& doc : ids) {
    size_t k = 0;
    while (k < doc.size()) {
      const size_t take = std::min(block - current.size(), doc.size() - k);
      current.insert(current.end(), doc.begin() + static_cast<std::ptrdiff_t>(k),
                     doc.begin() + static_cast<std::ptrdiff_t>(k + take));
      k += take;
      if (current.size() == block) {
        Row row;
        row.input_ids = std::move(current);
        row.token_type_ids.assign(block, 0);
        rows.push_back(std::move(row));
        current = {};
        current.reserve(block);
      }
    }
    std::vector<int64_t>().swap(doc);
  }
  return rows;
}

void truncate(std::vector<Row>& rows, int64_t max_samples) {
  if (max_samples >= 0 && static_cast<int64_t>(rows.size()) > max_samples) rows.resize(static_cast<size_t>(max_samples));
}

}  // namespace

MaskingOptions masking_options_for(const text::Tokenizer& tokenizer, const MlmDataOptions& options) {
  MaskingOptions m;
  m.mlm_probability = options.mlm_probability;
  m.whole_word_mask = options.whole_word_mask;
  // Words are told apart by WordPiece's "##" only (as transformers' DataCollatorForWholeWordMask).
  JPQD_CHECK(!options.whole_word_mask || tokenizer.marks_continuations(), InvalidArgument,
             "--whole_word_mask needs a WordPiece tokenizer (its \"##\" marks where words continue); ",
             tokenizer.files().where, " is not one");
  m.mask_id = tokenizer.mask_id();
  m.vocab_size = tokenizer.vocab_size();
  m.special_ids = tokenizer.special_ids();
  m.is_continuation.resize(static_cast<size_t>(m.vocab_size));
  if (tokenizer.marks_continuations()) {
    for (int64_t i = 0; i < m.vocab_size; ++i) {
      m.is_continuation[static_cast<size_t>(i)] = tokenizer.id_to_token(i).value_or("").rfind("##", 0) == 0;
    }
  }
  return m;
}

MlmDatasets build_mlm_datasets(const text::Tokenizer& tokenizer, const MlmDataOptions& options) {
  JPQD_CHECK(!options.train_files.empty() || !options.validation_file.empty(), InvalidArgument,
             "give --train_file or --validation_file");
  JPQD_CHECK(options.max_seq_length >= 8 && options.max_seq_length <= tokenizer.model_max_length(),
             InvalidArgument, "--max_seq_length ", options.max_seq_length, " must be in [8, ",
             tokenizer.model_max_length(), "]");
  JPQD_CHECK(options.validation_split_percentage >= 0 && options.validation_split_percentage < 100, InvalidArgument,
             "--validation_split_percentage must be in [0, 100), got ", options.validation_split_percentage);
  // 0 masks nothing (the loss over no token is NaN at the first step); above 1 is a typo, not a probability.
  JPQD_CHECK(options.mlm_probability > 0 && options.mlm_probability <= 1, InvalidArgument,
             "--mlm_probability must be in (0, 1], got ", options.mlm_probability);
  std::vector<std::string> train_docs;
  for (const auto& f : options.train_files) {
    auto docs = read_documents(f);
    train_docs.insert(train_docs.end(), std::make_move_iterator(docs.begin()), std::make_move_iterator(docs.end()));
  }
  const bool has_train = !options.train_files.empty();
  JPQD_CHECK(!has_train || !train_docs.empty(), InvalidArgument, "the training files contain no text");
  std::vector<std::string> eval_docs;
  if (!options.validation_file.empty()) {
    eval_docs = read_documents(options.validation_file);
  } else {
    const auto held_out = static_cast<size_t>(static_cast<double>(train_docs.size()) *
                                              options.validation_split_percentage / 100.0);
    eval_docs.assign(train_docs.begin(), train_docs.begin() + static_cast<std::ptrdiff_t>(held_out));
    train_docs.erase(train_docs.begin(), train_docs.begin() + static_cast<std::ptrdiff_t>(held_out));
  }
  log_info("MLM data: ", train_docs.size(), " training and ", eval_docs.size(), " held-out documents");

  auto train_rows = to_examples(tokenizer, train_docs, options, "train");
  auto eval_rows = to_examples(tokenizer, eval_docs, options, "eval");
  truncate(train_rows, options.max_train_samples);
  truncate(eval_rows, options.max_eval_samples);
  JPQD_CHECK(!has_train || !train_rows.empty(), InvalidArgument, "no training block of ", options.max_seq_length,
             " tokens could be formed; use --line_by_line or more text");

  const auto pad = tokenizer.pad_id();
  const auto masking = masking_options_for(tokenizer, options);
  auto transform = [masking](Batch& batch, uint64_t seed) { mask_tokens(batch, masking, seed); };
  MlmDatasets out;
  if (has_train) {
    out.train = std::make_shared<TokenizedDataset>(std::move(train_rows), TargetKind::kMaskedLm, 0, pad);
    out.train->set_batch_transform(transform);
  }
  out.eval = std::make_shared<TokenizedDataset>(std::move(eval_rows), TargetKind::kMaskedLm, 0, pad);
  out.eval->set_batch_transform(transform);
  return out;
}

}  // namespace jpqd::training
