// tokenizer.json post-processors: add the special tokens around one text or a pair and set the token
// type ids (BertProcessing, RobertaProcessing, TemplateProcessing; ByteLevel, which only trims
// offsets; Sequence).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/json_util.h"
#include "text/pipeline/encoded_text.h"

namespace jpqd::text::pipeline {

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // How many special tokens process() adds to one text or a pair (truncation leaves room for them).
  virtual size_t added_tokens(bool pair) const = 0;
  // Works on [first] or [first, second] and may merge them; the pipeline concatenates what is left.
  virtual std::vector<EncodedText> process(std::vector<EncodedText> encodings, bool add_special_tokens) const = 0;
};
using PostProcessorPtr = std::shared_ptr<const PostProcessor>;

using SpecialToken = std::pair<std::string, int64_t>;
PostProcessorPtr make_bert_processing(SpecialToken sep, SpecialToken cls);
PostProcessorPtr make_roberta_processing(SpecialToken sep, SpecialToken cls);
// A JSON null gives nullptr; unknown types are refused naming `where`.
PostProcessorPtr post_processor_from_json(const Json& json, const std::string& where);

}  // namespace jpqd::text::pipeline
