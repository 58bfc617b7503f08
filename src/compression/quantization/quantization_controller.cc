#include "compression/quantization/quantization_controller.h"

#include "common/error.h"
#include "common/logging.h"

namespace jpqd::compression {

QuantizationController::QuantizationController(QuantizationConfig config, std::vector<QuantizerEntry> quantizers,
                                               int64_t linear_layers)
    : config_(std::move(config)), quantizers_(std::move(quantizers)), linear_layers_(linear_layers) {}

bool QuantizationController::initialized() const {
  for (const auto& q : quantizers_)
    if (!q.quantizer->initialized()) return false;
  return true;
}

int64_t QuantizationController::init_samples_needed() const {
  if (config_.num_init_samples == 0 || initialized()) return 0;
  return config_.num_init_samples;
}

void QuantizationController::begin_initialization() {
  // NNCF collects range statistics on the floating-point model (its quantizer switcher disables every
  // quantizer around the init runner). An enabled weight quantizer would fake-quantize with its range not yet
  // initialised and distort every activation after it, so weights pass through until end_initialization().
  bypassed_weights_.clear();
  for (auto& q : quantizers_) {
    if (q.placement.kind == QuantizerKind::kActivation) {
      q.quantizer->start_collecting(config_.range_init_type, config_.min_percentile, config_.max_percentile);
    } else if (q.quantizer->enabled()) {
      q.quantizer->set_enabled(false);
      bypassed_weights_.push_back(q.quantizer);
    }
  }
}

void QuantizationController::end_initialization(Collectives* ranks) {
  torch::NoGradGuard no_grad;
  for (FakeQuantizer* q : bypassed_weights_) q->set_enabled(true);
  bypassed_weights_.clear();
  int64_t activations = 0, weights = 0;
  for (auto& q : quantizers_) {
    FakeQuantizer& fq = *q.quantizer;
    if (q.placement.kind == QuantizerKind::kWeight) {
      // One pass over the weight as the forward sees it: the quantizer records it and passes it through.
      // Weights are the same on every rank, so their statistics need no combining.
      fq.start_collecting(config_.range_init_type, config_.min_percentile, config_.max_percentile);
      q.weight_source();
      fq.initialize_from_statistics(nullptr);
      ++weights;
    } else if (fq.has_statistics()) {
      fq.initialize_from_statistics(ranks);
      ++activations;
    } else {
      fq.stop_collecting();
      log_warning("quantization: ", q.placement.name,
                  " saw no data during range initialisation (not on the forward path?); it keeps its default range");
    }
  }
  log_info("quantization: initialised the ranges of ", weights, " weight and ", activations,
           " activation quantizers (", to_string(config_.range_init_type), ")");
}

torch::Tensor QuantizationController::loss() { return torch::zeros({}); }

Json QuantizationController::statistics() const {
  int64_t weights = 0, activations = 0, quantized_linears = 0;
  for (const auto& q : quantizers_) {
    if (q.placement.kind == QuantizerKind::kWeight) {
      ++weights;
      if (q.placement.target == QuantizerPlacement::Target::kLinearWeight) ++quantized_linears;
    } else {
      ++activations;
    }
  }
  Json s{{"weight_quantizers", weights},
         {"activation_quantizers", activations},
         {"bits", quantizers_.empty() ? 0 : quantizers_.front().placement.settings.bits},
         {"initialized", initialized() ? 1 : 0}};
  if (linear_layers_ > 0)
    s["ratio_of_quantized_linear_layers"] = static_cast<double>(quantized_linears) / static_cast<double>(linear_layers_);
  return s;
}

Json QuantizationController::state() const { return Json{{"initialized", initialized()}}; }

void QuantizationController::load_state(const Json& state) {
  reject_unknown_keys(state, {"initialized"}, "quantization state");
  const bool saved = get_bool(state, "initialized", "quantization state");
  // The ranges and flags themselves come back with the model's state dict; a disagreement means the
  // checkpoint's tensors and its trainer state do not belong together.
  if (saved != initialized())
    log_warning("quantization: the checkpoint's controller state says the ranges are ", saved ? "" : "not ",
                "initialised, but the restored quantizer buffers say the opposite; trusting the buffers");
}

std::vector<QuantizerInfo> QuantizationController::list() const {
  std::vector<QuantizerInfo> out;
  for (const auto& q : quantizers_)
    out.push_back(describe_quantizer(q.placement.name, q.placement.scope, q.placement.kind, *q.quantizer));
  return out;
}

}  // namespace jpqd::compression
