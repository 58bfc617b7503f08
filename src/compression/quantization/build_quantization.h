// Builds the quantization controller: places the quantizers (quantizer_placement.h), attaches them to the
// model's hooks at kQuantizationPriority (after movement sparsity's masks) and returns the controller.
#pragma once

#include <memory>

#include "compression/api/controller.h"
#include "compression/build_controller.h"
#include "compression/config/quantization_config.h"
#include "compression/quantization/quantization_controller.h"
#include "model/bert.h"
#include "model/model_graph.h"

namespace jpqd::compression {

std::unique_ptr<Controller> build_quantization(const QuantizationConfig& config, model::BertImpl& model,
                                               const BuildContext& context);

// The same on any graph (tests use a hand-built one). Validates everything before attaching anything, so a
// config error leaves the model untouched. context.train_samples > 0 is checked against num_init_samples.
std::unique_ptr<QuantizationController> build_quantization_on_graph(const QuantizationConfig& config,
                                                                    const model::ModelGraph& graph,
                                                                    const BuildContext& context);

}  // namespace jpqd::compression
