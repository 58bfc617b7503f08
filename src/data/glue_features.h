// Text examples to model inputs as run_glue's preprocess_function does: [CLS] a [SEP] (b [SEP]),
// truncated longest_first to max_seq_length, unpadded unless asked (the trainer pads each batch
// dynamically), with the label id or the regression target.
#pragma once

#include <cstdint>
#include <vector>

#include "data/example.h"
#include "data/feature.h"
#include "data/label_space.h"
#include "text/tokenizer.h"

namespace jpqd::data {

struct GlueFeatureOptions {
  int64_t max_seq_length = 128;
  bool pad_to_max_length = false;  // run_glue's --pad_to_max_length; also fills Feature::attention_mask
  int64_t threads = 0;             // tokenizer threads; 0 = all cores
};

// Feature::label = id in `labels` (classification) or Feature::targets = {score} (regression);
// unlabeled examples get label -1 and no targets. A label outside `labels` is an InvalidArgument
// naming the example's line.
std::vector<Feature> featurize_glue(const std::vector<Example>& examples, const LabelSpace& labels,
                                    const text::Tokenizer& tokenizer, const GlueFeatureOptions& options);

}  // namespace jpqd::data
