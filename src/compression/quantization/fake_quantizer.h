// One quantizer: trainable range parameters, levels, and range-initialisation state (NNCF's
// SymmetricQuantizer / AsymmetricQuantizer). It registers its tensors on the hook module that owns it, so
// state-dict names read "<owner>.scale", "<owner>.input_low", "<owner>.input_range" (NNCF's names), plus two
// buffers "<owner>.signed_tensor" and "<owner>.initialized" so a checkpoint restores everything.
//
// Symmetric: parameter `scale` (init 1). Asymmetric: `input_low` (init 0) and `input_range` (init 1).
// Shapes: [1] per tensor, [channels, 1] per channel (weights: output channels = rows; embeddings: rows).
// The parameters are ordinary trainable parameters: the trainer's optimizer sees them through parameters().
#pragma once

#include <torch/torch.h>

#include <memory>
#include <optional>
#include <utility>

#include "compression/config/quantization_config.h"
#include "compression/quantization/fake_quantize.h"
#include "compression/quantization/range_statistics.h"

namespace jpqd::compression {

struct QuantizerSettings {
  QuantizationMode mode = QuantizationMode::kSymmetric;
  int64_t bits = 8;
  bool is_weights = false;
  bool per_channel = false;
  int64_t channels = 1;                     // per_channel: size of dim 0 of the quantized tensor
  std::optional<bool> signedness_to_force;  // symmetric only; nullopt = decided at initialisation
  bool narrow_range = false;                // weights: [-127, 127] instead of [-128, 127]
  bool half_range = false;                  // overflow fix: 7-bit weights
};

class FakeQuantizer {
 public:
  FakeQuantizer(torch::nn::Module& owner, const QuantizerSettings& settings);

  // Fake-quantizes x, or, while collecting statistics, records x and returns it unchanged (ranges are
  // initialised from the float model, not from one whose quantizers still have their default ranges).
  torch::Tensor operator()(const torch::Tensor& x);

  const QuantizerSettings& settings() const { return settings_; }
  // A disabled quantizer passes tensors through (used to read the float tensor a quantizer sees, for export).
  void set_enabled(bool enabled) { enabled_ = enabled; }
  bool enabled() const { return enabled_; }
  bool is_signed() const;  // symmetric: the current sign; asymmetric: false
  bool initialized() const;
  QuantizerLevels levels() const;  // training levels (half range: [-64, 63])

  // Range initialisation.
  void start_collecting(RangeInitType type, double min_percentile, double max_percentile);
  bool collecting() const { return collecting_; }
  bool has_statistics() const { return stats_ && !stats_->empty(); }
  // Sets the parameters from the collected statistics and stops collecting; with `ranks`, the
  // statistics are first combined across data-parallel ranks.
  void initialize_from_statistics(Collectives* ranks = nullptr);
  void stop_collecting();
  // Sets the parameters from per-channel min/max ([channels] or [1]).
  void apply_min_max(const torch::Tensor& min, const torch::Tensor& max);

  // The range the forward uses now: (lo, R) after |.| + eps (and TuneRange for asymmetric), shaped like the
  // parameters, detached.
  std::pair<torch::Tensor, torch::Tensor> effective_range() const;

  // The parameters (undefined when not of this mode).
  torch::Tensor scale;
  torch::Tensor input_low;
  torch::Tensor input_range;
  std::vector<torch::Tensor> parameters() const;

 private:
  QuantizerSettings settings_;
  torch::Tensor signed_tensor_;  // buffer [1]: 1 = signed
  torch::Tensor initialized_;    // buffer [1]: 1 = ranges initialised
  bool collecting_ = false;
  bool enabled_ = true;
  std::unique_ptr<RangeStatistics> stats_;
};

}  // namespace jpqd::compression
