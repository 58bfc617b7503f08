#include "compression/quantization/build_quantization.h"

#include "common/error.h"
#include "common/logging.h"
#include "compression/quantization/quantizer_hooks.h"

namespace jpqd::compression {

namespace {

const char* kWhere = "quantization";

void check_context(const QuantizationConfig& config, const BuildContext& context) {
  if (context.train_samples > 0)
    JPQD_CHECK(config.num_init_samples <= context.train_samples, InvalidArgument, kWhere,
               ".initializer.range.num_init_samples: ", config.num_init_samples, " is more than the ",
               context.train_samples, " training samples");
  if (config.num_bn_adaptation_samples)
    log_info(kWhere, ": initializer.batchnorm_adaptation (", *config.num_bn_adaptation_samples,
             " samples) has no effect on BERT, which has no BatchNorm layers; skipped");
  if (config.num_init_samples == 0)
    log_warning(kWhere, ": num_init_samples is 0, so range initialisation is skipped and every quantizer starts "
                        "from its default range (scale 1, or input_low 0 and input_range 1)");
}

// Same device and dtype as the tensor the quantizer will see.
torch::TensorOptions options_of(const QuantizerPlacement& p, const model::ModelGraph& graph) {
  if (p.node->kind == model::NodeKind::kLinear) return p.node->linear->weight.options();
  if (p.node->kind == model::NodeKind::kEmbedding) return p.node->embedding_weight.options();
  for (const auto& n : graph)
    if (n.kind == model::NodeKind::kLinear) return n.linear->weight.options();
  return torch::TensorOptions();
}

QuantizerEntry attach(const QuantizerPlacement& p, const torch::TensorOptions& options) {
  QuantizerEntry e;
  e.placement = p;
  const model::ModelNode& node = *p.node;
  switch (p.target) {
    case QuantizerPlacement::Target::kLinearWeight: {
      auto hook = std::make_shared<LinearWeightQuantizer>(p.settings);
      hook->to(options.device(), options.dtype().toScalarType());
      node.linear->add_params_hook(p.hook_name, hook, model::kQuantizationPriority);
      e.module = hook;
      e.quantizer = &hook->quantizer();
      model::CompressibleLinearImpl* linear = node.linear;
      e.weight_source = [linear] { return linear->effective_params().first; };
      break;
    }
    case QuantizerPlacement::Target::kLinearInput: {
      auto hook = std::make_shared<TensorQuantizer>(p.settings);
      hook->to(options.device(), options.dtype().toScalarType());
      node.linear->add_input_hook(p.hook_name, hook, model::kQuantizationPriority);
      e.module = hook;
      e.quantizer = &hook->quantizer();
      break;
    }
    case QuantizerPlacement::Target::kHookPoint: {
      auto hook = std::make_shared<TensorQuantizer>(p.settings);
      hook->to(options.device(), options.dtype().toScalarType());
      node.hook_point->add(p.hook_name, hook, model::kQuantizationPriority);
      e.module = hook;
      e.quantizer = &hook->quantizer();
      if (p.kind == QuantizerKind::kWeight) {
        model::TensorHookPointImpl* point = node.hook_point;
        torch::Tensor table = node.embedding_weight;
        e.weight_source = [point, table] { return point->forward(table); };
      }
      break;
    }
  }
  return e;
}

}  // namespace

std::unique_ptr<QuantizationController> build_quantization_on_graph(const QuantizationConfig& config,
                                                                    const model::ModelGraph& graph,
                                                                    const BuildContext& context) {
  check_context(config, context);
  const std::vector<QuantizerPlacement> placements = place_quantizers(config, graph);
  int64_t linear_layers = 0;
  for (const auto& n : graph) linear_layers += n.kind == model::NodeKind::kLinear ? 1 : 0;

  std::vector<QuantizerEntry> entries;
  int64_t weights = 0, half_range = 0;
  for (const auto& p : placements) {
    entries.push_back(attach(p, options_of(p, graph)));
    weights += p.kind == QuantizerKind::kWeight ? 1 : 0;
    half_range += p.settings.half_range ? 1 : 0;
    if (config.compression_lr_multiplier) {
      const double m = *config.compression_lr_multiplier;
      for (auto& t : entries.back().quantizer->parameters())
        t.register_hook([m](torch::Tensor g) { return g * m; });
    }
  }
  log_info(kWhere, ": ", weights, " weight and ", entries.size() - weights, " activation quantizers (preset ",
           config.preset, ", overflow_fix ", to_string(config.overflow_fix), ": ", half_range,
           " half-range weight quantizers), range init ", to_string(config.range_init_type), " on ",
           config.num_init_samples, " samples");
  for (auto& e : entries) e.placement.node = nullptr;  // the graph may not outlive the build
  return std::make_unique<QuantizationController>(config, std::move(entries), linear_layers);
}

std::unique_ptr<Controller> build_quantization(const QuantizationConfig& config, model::BertImpl& model,
                                               const BuildContext& context) {
  const model::ModelGraph graph = model.graph();
  return build_quantization_on_graph(config, graph, context);
}

}  // namespace jpqd::compression
