// SQuAD examples to model inputs as run_qa.py prepares them: [CLS] question [SEP] context window
// [SEP], the question cut to max_query_length tokens, the context split into windows of at most
// max_seq_length tokens that overlap by doc_stride tokens (the fast tokenizer's stride), with
// offsets into the context for evaluation and start/end token labels for training.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "data/feature.h"
#include "data/squad.h"
#include "text/bert_tokenizer.h"

namespace jpqd::data {

struct SquadFeatureOptions {
  int64_t max_seq_length = 384;
  int64_t doc_stride = 128;
  int64_t max_query_length = 64;   // 0: no limit
  bool pad_to_max_length = false;  // also fills Feature::attention_mask
  int64_t threads = 0;             // tokenizer threads; 0 = all cores
};

struct SquadFeature {
  // input_ids, token_type_ids; start/end_position from the example's first answer: the tokens that
  // cover it, or 0 ([CLS]) for both when the answer is not entirely inside this window.
  Feature feature;
  int64_t example_index = 0;  // index into the examples given to prepare_squad_features
  // [begin, end) byte offsets into the example's context for context tokens, (-1, -1) for the
  // question, special and padding tokens (run_qa sets those to None).
  std::vector<std::pair<int64_t, int64_t>> offsets;
};

std::vector<SquadFeature> prepare_squad_features(const std::vector<SquadExample>& examples,
                                                 const text::BertTokenizer& tokenizer,
                                                 const SquadFeatureOptions& options);

// The windowing of one example on text already tokenized (ids with byte offsets), so it can be
// checked without a vocabulary. `answer` is the [begin, end) byte range of the answer in the context.
struct TokenizedText {
  std::vector<int64_t> ids;
  std::vector<std::pair<int64_t, int64_t>> offsets;
};
struct SpecialTokenIds {
  int64_t cls = 101;
  int64_t sep = 102;
  int64_t pad = 0;
};
std::vector<SquadFeature> make_squad_windows(const TokenizedText& question, const TokenizedText& context,
                                             const std::optional<std::pair<int64_t, int64_t>>& answer,
                                             const SpecialTokenIds& special, const SquadFeatureOptions& options,
                                             int64_t example_index);

}  // namespace jpqd::data
