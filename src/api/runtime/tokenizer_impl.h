// The state behind the public jpqd::Tokenizer: the library's tokenizer, shared with the Model it came from.
#pragma once

#include <memory>

#include "jpqd/tokenizer.h"
#include "text/tokenizer.h"

namespace jpqd {

struct Tokenizer::Impl {
  std::shared_ptr<const text::Tokenizer> tokenizer;
};

}  // namespace jpqd
