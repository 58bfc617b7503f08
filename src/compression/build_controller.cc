#include "compression/build_controller.h"

#include <set>

#include "common/logging.h"
#include "compression/quantization/build_quantization.h"
#include "compression/sparsity/movement/build_movement_sparsity.h"

namespace jpqd::compression {

namespace {

// The model's own parameters (what Hugging Face saves), not the compression parameters attached to it.
std::vector<torch::Tensor> own_parameters(model::BertImpl& model) {
  const auto names = model.hf_parameter_names();
  const std::set<std::string> hf(names.begin(), names.end());
  std::vector<torch::Tensor> out;
  for (const auto& item : model.named_parameters(true))
    if (hf.count(item.key())) out.push_back(item.value());
  return out;
}

}  // namespace

std::unique_ptr<CompositeController> build_controller(const CompressionConfig& config, model::BertImpl& model,
                                                      const BuildContext& context) {
  auto composite = std::make_unique<CompositeController>();
  const model::ModelGraph graph = model.graph();
  // Sparsity first: its hooks (priority 3) mask the weight before the quantizer (priority 11) sees it.
  if (config.movement_sparsity) {
    MovementBuildOptions options;
    options.head_dim = model.config().head_dim();
    options.num_train_epochs = context.num_train_epochs;
    options.epochs_set_by_max_steps = context.epochs_set_by_max_steps;
    options.model_parameters = own_parameters(model);
    auto movement = build_movement_sparsity(*config.movement_sparsity, graph, options);
    if (!context.output_dir.empty()) movement->set_output_dir(context.output_dir);
    composite->add(std::move(movement));
  }
  if (config.quantization) composite->add(build_quantization(*config.quantization, model, context));
  return composite;
}

}  // namespace jpqd::compression
