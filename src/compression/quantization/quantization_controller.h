// Quantization-aware training as one compression::Controller ("quantization"): owns the list of attached
// quantizers and runs their range initialisation (docs/algorithms.md 3.3). It has no loss and no schedule.
//
// Range initialisation: the trainer calls begin_initialization(), runs forward passes on the first
// init_samples_needed() training samples, then end_initialization(). Activation quantizers record what they
// see during those passes (and pass it through unquantized) and weight quantizers are bypassed, so the
// statistics are the floating-point model's; weight quantizers are initialised in end_initialization() from
// the weight as the forward sees it (after the movement mask), in one pass.
// init_samples_needed() is 0 once every quantizer is initialised, e.g. after a checkpoint restored the
// "initialized" buffers, so a resumed run never re-initialises.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "compression/api/controller.h"
#include "compression/config/quantization_config.h"
#include "compression/quantization/quantizer_listing.h"
#include "compression/quantization/quantizer_placement.h"

namespace jpqd::compression {

struct QuantizerEntry {
  QuantizerPlacement placement;
  std::shared_ptr<torch::nn::Module> module;  // the hook attached to the model
  FakeQuantizer* quantizer = nullptr;         // inside `module`
  std::function<torch::Tensor()> weight_source;  // weights: the tensor the quantizer sees in the forward
};

class QuantizationController : public Controller {
 public:
  QuantizationController(QuantizationConfig config, std::vector<QuantizerEntry> quantizers, int64_t linear_layers);

  std::string name() const override { return "quantization"; }
  int64_t init_samples_needed() const override;
  void begin_initialization() override;
  void end_initialization(Collectives* ranks) override;
  torch::Tensor loss() override;
  // weight_quantizers, activation_quantizers, bits, ratio_of_quantized_linear_layers, initialized (0/1).
  Json statistics() const override;
  Json state() const override;  // {"initialized": bool}
  void load_state(const Json& state) override;

  bool initialized() const;  // every quantizer has initialised ranges
  const std::vector<QuantizerEntry>& quantizers() const { return quantizers_; }
  const QuantizationConfig& config() const { return config_; }
  // Every quantizer in graph order: scope, kind, mode, bits, granularity, sign, levels, current range.
  std::vector<QuantizerInfo> list() const;

 private:
  QuantizationConfig config_;
  std::vector<QuantizerEntry> quantizers_;
  int64_t linear_layers_;
  std::vector<FakeQuantizer*> bypassed_weights_;  // between begin_ and end_initialization()
};

}  // namespace jpqd::compression
