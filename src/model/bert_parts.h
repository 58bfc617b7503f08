// Internal: the submodules of BertImpl, shared by bert.cc and bert_graph.cc.
#pragma once

#include "model/bert.h"
#include "model/bert_model.h"

namespace jpqd::model {

struct BertImpl::Parts {
  BertModel bert{nullptr};
  CompressibleLinear classifier{nullptr};  // sequence classification
  CompressibleLinear qa_outputs{nullptr};  // question answering
  BertLmPredictionHead predictions{nullptr};  // masked LM, registered as "cls.predictions"
  double classifier_dropout = 0.0;
};

}  // namespace jpqd::model
