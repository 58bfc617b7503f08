// The state behind jpqd::runtime::Model (shared, immutable after load).
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "jpqd/runtime.h"
#include "runtime/bert_engine.h"

namespace jpqd::text {
class Tokenizer;
}

namespace jpqd::runtime {

struct Model::Impl {
  std::unique_ptr<BertEngine> engine;
  ModelInfo info;
  // Built on first run_text() (text/ is only linked in by callers that use it).
  mutable std::once_flag tokenizer_once;
  mutable std::shared_ptr<const text::Tokenizer> tokenizer;
};

}  // namespace jpqd::runtime
