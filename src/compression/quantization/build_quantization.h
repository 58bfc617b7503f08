// Builds the quantization controller: attaches fake-quantize hooks to the model (after sparsity's, by
// priority) and returns the controller. Implemented in the quantization folder.
#pragma once

#include <memory>

#include "compression/api/controller.h"
#include "compression/build_controller.h"
#include "compression/config/quantization_config.h"
#include "model/bert.h"

namespace jpqd::compression {

std::unique_ptr<Controller> build_quantization(const QuantizationConfig& config, model::BertImpl& model,
                                               const BuildContext& context);

}  // namespace jpqd::compression
