// From a trained model with its compression hooks to the ExportedModel the writers take: the pruning plan
// applied (when the run reached structured masking), masks folded, and every quantizer's integers and
// scales (when the run was quantized and its ranges were initialised).
#pragma once

#include <string>
#include <vector>

#include "compression/api/controller.h"
#include "export/exported_model.h"
#include "model/bert.h"

namespace jpqd::exporter {

struct ExportNotes {
  bool pruned = false;     // heads / neurons physically removed
  bool quantized = false;  // INT8 weights and activation quantizers
  std::vector<std::string> messages;  // what was exported dense or FP32, and why
};

// `controller` may be null (a plain fine-tuned model: FP32 dense export).
ExportedModel build_exported_model(model::BertImpl& model, const compression::CompositeController* controller,
                                   ExportNotes* notes = nullptr);

}  // namespace jpqd::exporter
