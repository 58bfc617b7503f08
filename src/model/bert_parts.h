// Internal: the submodules of BertImpl, shared by bert.cc and bert_graph.cc.
#pragma once

#include "model/bert.h"
#include "model/bert_model.h"

namespace jpqd::model {

struct BertImpl::Parts : EncoderParts {
  explicit Parts(EncoderParts parts) : EncoderParts(std::move(parts)) {}
};

}  // namespace jpqd::model
