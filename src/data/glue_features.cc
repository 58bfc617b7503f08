#include "data/glue_features.h"

#include "common/error.h"
#include "common/parallel_for.h"

namespace jpqd::data {

std::vector<Feature> featurize_glue(const std::vector<Example>& examples, const LabelSpace& labels,
                                    const text::Tokenizer& tokenizer, const GlueFeatureOptions& options) {
  // [CLS] a [SEP] b [SEP] needs 3 special tokens; fewer than that leaves no room for any text.
  constexpr int64_t kMinSeqLength = 3;
  JPQD_CHECK(options.max_seq_length >= kMinSeqLength, InvalidArgument, "max_seq_length ", options.max_seq_length,
             " is too small (at least ", kMinSeqLength, ")");
  const auto padding = options.pad_to_max_length ? text::Padding::kMaxLength : text::Padding::kNone;
  const auto featurize = [&](const Example& ex) {
    text::Encoding enc =
        tokenizer.encode(ex.text_a, ex.text_b, options.max_seq_length, text::Truncation::kLongestFirst, padding);
    Feature f;
    f.input_ids = std::move(enc.input_ids);
    f.token_type_ids = std::move(enc.token_type_ids);
    if (options.pad_to_max_length) f.attention_mask = std::move(enc.attention_mask);
    if (labels.is_regression) {
      JPQD_CHECK(!ex.label.has_value(), InvalidArgument, "line ", ex.line, ": class label \"", *ex.label,
                 "\" for a regression task");
      if (ex.score) f.targets = {*ex.score};
    } else if (ex.label) {
      const auto id = labels.find(*ex.label);
      JPQD_CHECK(id.has_value(), InvalidArgument, "line ", ex.line, ": label \"", *ex.label,
                 "\" is not in the label set (", labels.describe(), ")");
      f.label = *id;
    } else {
      JPQD_CHECK(!ex.score.has_value(), InvalidArgument, "line ", ex.line, ": a score for a classification task");
    }
    return f;
  };
  // Each example into its own slot; a bad example fails as the first one a serial pass would meet.
  std::vector<Feature> features(examples.size());
  parallel_for(examples.size(), worker_threads(options.threads),
               [&](size_t i) { features[i] = featurize(examples[i]); });
  return features;
}

}  // namespace jpqd::data
