// The real BERT vocabularies shipped in data/vocab, loaded once per test binary.
#pragma once

#include <string>

#include "text/vocab.h"

namespace jpqd::text::testing {

inline std::string source_path(const std::string& relative) { return std::string(JPQD_SOURCE_DIR) + "/" + relative; }

inline const Vocab& uncased_vocab() {
  static const Vocab vocab = Vocab::from_file(source_path("data/vocab/bert-base-uncased/vocab.txt"));
  return vocab;
}

inline const Vocab& cased_vocab() {
  static const Vocab vocab = Vocab::from_file(source_path("data/vocab/bert-base-cased/vocab.txt"));
  return vocab;
}

}  // namespace jpqd::text::testing
