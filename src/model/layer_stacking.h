// Progressive stacking (Gong et al., 2019, "Efficient Training of BERT by Progressively Stacking"):
// a model twice as deep whose layers 2i and 2i+1 both start as layer i of a trained shallower model.
// Continued pretraining from there reaches a deeper model's quality far sooner than from scratch, which
// is how jpqd grows its distillation teacher from the pretrained student on two CPU cores.
#pragma once

#include "model/bert.h"

namespace jpqd::model {

// Every other tensor (embeddings, heads) is copied as is; per-layer head and FFN widths are repeated.
Bert stack_layers(BertImpl& shallow);

}  // namespace jpqd::model
