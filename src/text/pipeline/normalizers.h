// tokenizer.json normalizers: each rewrites tracked text in place. Built from the "normalizer" object
// of tokenizer.json by normalizer_from_json; a type jpqd does not know is refused by name.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "text/utf8.h"

namespace jpqd::text::pipeline {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(TrackedText& text) const = 0;
  // For the pipeline's shortcut through ASCII words (ascii_words.cc): true when this normalizer turns
  // each printable ASCII character (0x20-0x7E) into one printable ASCII character whatever surrounds
  // it, keeps ' ', '\t', '\n' and '\r' white space, and normalizing a text cut at those four gives
  // the pieces of the whole text normalized. `lowercase` then says whether it lower-cases A-Z (the
  // one change it makes to printable ASCII).
  virtual bool acts_per_ascii_char(bool& lowercase) const { return false; }
};
using NormalizerPtr = std::shared_ptr<const Normalizer>;

// `where` names the file for errors ("dir/tokenizer.json"). A JSON null gives nullptr (no normalizer).
NormalizerPtr normalizer_from_json(const Json& json, const std::string& where);

// BERT's normalizer as tokenizers builds it for a vocab.txt: clean text, space out CJK ideographs,
// strip accents (by default when lower-casing), lower-case.
NormalizerPtr make_bert_normalizer(bool clean_text, bool handle_chinese_chars, std::optional<bool> strip_accents,
                                   bool lowercase);
// SentencePiece's precompiled rules from the raw charsmap bytes (precompiled_charsmap.h).
NormalizerPtr make_precompiled_normalizer(const std::string& charsmap, const std::string& where);
NormalizerPtr make_sequence_normalizer(std::vector<NormalizerPtr> steps);

}  // namespace jpqd::text::pipeline
