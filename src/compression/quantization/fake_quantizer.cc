#include "compression/quantization/fake_quantizer.h"

#include "common/error.h"

namespace jpqd::compression {

namespace {

std::vector<int64_t> param_shape(const QuantizerSettings& s) {
  if (s.per_channel) return {s.channels, 1};
  return {1};
}

}  // namespace

FakeQuantizer::FakeQuantizer(torch::nn::Module& owner, const QuantizerSettings& settings) : settings_(settings) {
  TORCH_CHECK(!settings_.per_channel || settings_.channels > 0, "quantizer: per-channel without channels");
  const auto shape = param_shape(settings_);
  if (settings_.mode == QuantizationMode::kSymmetric) {
    scale = owner.register_parameter("scale", torch::ones(shape));
  } else {
    input_low = owner.register_parameter("input_low", torch::zeros(shape));
    input_range = owner.register_parameter("input_range", torch::ones(shape));
  }
  // NNCF: unsigned until initialisation decides, unless the config forces a sign.
  const bool initial_sign = settings_.mode == QuantizationMode::kSymmetric && settings_.signedness_to_force.value_or(false);
  signed_tensor_ = owner.register_buffer("signed_tensor", torch::full({1}, initial_sign ? 1.0 : 0.0));
  initialized_ = owner.register_buffer("initialized", torch::zeros({1}));
}

bool FakeQuantizer::is_signed() const {
  return settings_.mode == QuantizationMode::kSymmetric && signed_tensor_.item<double>() > 0.5;
}

bool FakeQuantizer::initialized() const { return initialized_.item<double>() > 0.5; }

QuantizerLevels FakeQuantizer::levels() const {
  if (settings_.mode == QuantizationMode::kAsymmetric)
    return asymmetric_levels(settings_.bits, settings_.narrow_range, settings_.half_range);
  return symmetric_levels(settings_.bits, is_signed(), settings_.narrow_range, settings_.half_range);
}

torch::Tensor FakeQuantizer::operator()(const torch::Tensor& x) {
  if (collecting_) {
    stats_->add(x);
    return x;
  }
  if (!enabled_) return x;
  const QuantizerLevels l = levels();
  if (settings_.mode == QuantizationMode::kSymmetric) return symmetric_quantize(x, scale, l);
  return asymmetric_quantize(x, input_low, input_range, l);
}

void FakeQuantizer::start_collecting(RangeInitType type, double min_percentile, double max_percentile) {
  stats_ = std::make_unique<RangeStatistics>(type, min_percentile, max_percentile, settings_.per_channel,
                                             settings_.is_weights, settings_.mode);
  collecting_ = true;
}

void FakeQuantizer::stop_collecting() {
  collecting_ = false;
  stats_.reset();
}

void FakeQuantizer::initialize_from_statistics(Collectives* ranks) {
  TORCH_CHECK(has_statistics(), "quantizer: no statistics were collected for range initialisation");
  if (ranks != nullptr) stats_->reduce_across_ranks(*ranks);
  auto [min, max] = stats_->min_max();
  stop_collecting();
  apply_min_max(min, max);
}

void FakeQuantizer::apply_min_max(const torch::Tensor& min, const torch::Tensor& max) {
  torch::NoGradGuard no_grad;
  const auto shape = param_shape(settings_);
  TORCH_CHECK(min.numel() == shape[0] && max.numel() == shape[0], "quantizer: ", min.numel(),
              " range statistics for a quantizer with ", shape[0], " channel(s)");
  if (settings_.mode == QuantizationMode::kSymmetric) {
    auto [s, is_signed] = symmetric_init(min, max, settings_.signedness_to_force);
    scale.copy_(s.reshape(shape));
    signed_tensor_.fill_(is_signed ? 1.0 : 0.0);
  } else {
    auto [lo, range] = asymmetric_init(min, max);
    input_low.copy_(lo.reshape(shape));
    input_range.copy_(range.reshape(shape));
  }
  initialized_.fill_(1.0);
}

std::pair<torch::Tensor, torch::Tensor> FakeQuantizer::effective_range() const {
  torch::NoGradGuard no_grad;
  if (settings_.mode == QuantizationMode::kSymmetric)
    return symmetric_range(scale.detach().abs() + kRangeEpsilon, levels());
  return asymmetric_effective_range(input_low, input_range, levels().levels());
}

std::vector<torch::Tensor> FakeQuantizer::parameters() const {
  if (settings_.mode == QuantizationMode::kSymmetric) return {scale};
  return {input_low, input_range};
}

}  // namespace jpqd::compression
