// tokenizer.json pre-tokenizers: each cuts the splits that are still text into smaller ones (splits
// that already hold tokens, the added tokens, pass through untouched), and may rewrite their text
// (ByteLevel maps bytes to printable characters, Metaspace spaces to "▁").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "text/pipeline/pieces.h"

namespace jpqd::text::pipeline {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Replaces each text split of `splits` by its pieces; empty pieces are dropped.
  void pre_tokenize(std::vector<Split>& splits) const;
  // True for BertPreTokenizer (split on white space, isolate punctuation, nothing else), whose work
  // on ASCII the pipeline can do without it (ascii_words.cc).
  virtual bool splits_like_bert() const { return false; }

 protected:
  // The pieces of one split. Its characters carry their original byte ranges, which is how Metaspace's
  // prepend_scheme "first" tells the split that starts the text from one after an added token.
  virtual std::vector<TrackedText> split(const TrackedText& text) const = 0;
};
using PreTokenizerPtr = std::shared_ptr<const PreTokenizer>;

// A JSON null gives nullptr (no pre-tokenizer); unknown types are refused naming `where`.
PreTokenizerPtr pre_tokenizer_from_json(const Json& json, const std::string& where);
PreTokenizerPtr make_bert_pre_tokenizer();
PreTokenizerPtr make_byte_level_pre_tokenizer(bool add_prefix_space, bool use_regex);
PreTokenizerPtr make_metaspace_pre_tokenizer(const std::string& replacement, const std::string& prepend_scheme,
                                             bool split);

// GPT-2's byte-to-character table: printable bytes stand for themselves, the others for U+0100 on.
char32_t byte_level_char(unsigned char byte);

}  // namespace jpqd::text::pipeline
