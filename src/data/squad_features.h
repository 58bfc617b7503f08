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
#include "text/tokenizer.h"

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
                                                 const text::Tokenizer& tokenizer,
                                                 const SquadFeatureOptions& options);

// The windowing of one example on text already tokenized (ids with byte offsets), so it can be
// checked without a vocabulary. `answer` is the [begin, end) byte range of the answer in the context.
struct TokenizedText {
  std::vector<int64_t> ids;
  std::vector<std::pair<int64_t, int64_t>> offsets;
};
// Where a tokenizer puts its special tokens around a question and a context window, as it does for a
// pair: BERT's [CLS] q [SEP] c [SEP] with token types 0 then 1 (the default, with bert-base-uncased's
// ids), RoBERTa's <s> q </s></s> c </s> all of type 0.
struct PairLayout {
  std::vector<int64_t> before_question{101}, between{102}, after_context{102};
  std::vector<int64_t> before_question_types{0}, between_types{0}, after_context_types{1};
  int64_t question_type = 0;
  int64_t context_type = 1;
  int64_t pad_id = 0;

  int64_t special_tokens() const {
    return static_cast<int64_t>(before_question.size() + between.size() + after_context.size());
  }
  static PairLayout bert(int64_t cls, int64_t sep, int64_t pad);
};
// Read off the tokenizer's post-processor. InvalidArgument when it does not put the question first and
// the context after it (no family jpqd loads does otherwise).
PairLayout pair_layout_of(const text::Tokenizer& tokenizer);

std::vector<SquadFeature> make_squad_windows(const TokenizedText& question, const TokenizedText& context,
                                             const std::optional<std::pair<int64_t, int64_t>>& answer,
                                             const PairLayout& layout, const SquadFeatureOptions& options,
                                             int64_t example_index);

}  // namespace jpqd::data
