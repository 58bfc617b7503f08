// SmoothQuant (Xiao et al. 2023, as NNCF's post-training pipeline applies it to transformer models): per input
// channel j of a Linear, s_j = max|X_j|^α / max_i |W_ij|^(1-α); the Linear computes (X / s)(W·diag(s))ᵀ, so
// activation outliers move into the weights, which are quantized per output channel. Statistics are the
// absolute maxima over the calibration samples, both clipped below at 1e-5, and s is clipped to [its 10th
// percentile over the channels, 100], all as NNCF.
//
// NNCF inserts the 1/s as a Multiply node in front of each Linear. jpqd's deployed graph has no such node
// (an activation quantizer has one scale per tensor), so 1/s is folded into the FP32 model instead, where
// that keeps the function exactly: into the rows (weight and bias) of the Linear that produced X, through
// ops that commute with a positive per-channel scale:
//   - attention output <- value projection (the attention probabilities mix positions, not channels);
//   - FFN output <- FFN input, when hidden_act is relu (not gelu: gelu(x/s) != gelu(x)/s);
//   - DistilBERT's classifier <- pre_classifier (ReLU between them).
// Every other Linear is left as it is, and said so: Q, K, V and the FFN input read a LayerNorm output that
// is also the residual stream of these post-LayerNorm encoders (scaling the LayerNorm would change the
// residual), the FFN output reads a GELU, the pooler and QA/classification heads a LayerNorm output or a tanh.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "model/bert.h"

namespace jpqd::compression {

// A Linear whose input SmoothQuant can rescale exactly, and the Linear whose output rows absorb 1/s.
struct SmoothQuantSite {
  std::string name;           // the consumer's module name (Hugging Face path)
  std::string producer_name;
  model::CompressibleLinearImpl* consumer = nullptr;
  model::CompressibleLinearImpl* producer = nullptr;
};

// A Linear SmoothQuant leaves alone, and why.
struct SmoothQuantSkip {
  std::string name;
  std::string reason;
};

// Every site of `model`, in graph order; the other Linears go to *skipped when given. The pointers live as
// long as the model.
std::vector<SmoothQuantSite> smooth_quant_sites(model::BertImpl& model, std::vector<SmoothQuantSkip>* skipped = nullptr);

// While alive, records max |x| per input channel of every site's consumer through an input hook; the caller
// runs the forward passes (training/calibration.h). The consumers must carry no hooks yet: SmoothQuant
// changes the FP32 model before quantizers are placed and their ranges initialised.
class SmoothQuantStatistics {
 public:
  explicit SmoothQuantStatistics(std::vector<SmoothQuantSite> sites);
  ~SmoothQuantStatistics();  // detaches the hooks
  SmoothQuantStatistics(const SmoothQuantStatistics&) = delete;
  SmoothQuantStatistics& operator=(const SmoothQuantStatistics&) = delete;

  const std::vector<SmoothQuantSite>& sites() const { return sites_; }
  // [in_features] float64 for site i; undefined when it saw no data.
  torch::Tensor abs_max(size_t i) const;

 private:
  class Recorder;
  std::vector<SmoothQuantSite> sites_;
  std::vector<std::shared_ptr<Recorder>> recorders_;
};

// NNCF's per-channel scale for activation maxima [in] and a weight [out, in]; float64 [in], all positive.
torch::Tensor smooth_quant_scales(const torch::Tensor& activation_abs_max, const torch::Tensor& weight, double alpha);

// consumer.weight[:, j] *= s_j; producer.weight[j, :] /= s_j and producer.bias[j] /= s_j.
void fold_smooth_quant_scales(const SmoothQuantSite& site, const torch::Tensor& scales);

// Computes and folds the scales of every site that saw data. Returns one entry per site:
// {"name", "producer", "alpha", "scale_min", "scale_max", "activation_abs_max_before", "..._after"}.
Json apply_smooth_quant(const SmoothQuantStatistics& statistics, double alpha);

constexpr double kSmoothQuantStatisticFloor = 1e-5;  // NNCF's _clip_statistics
constexpr double kSmoothQuantScaleQuantile = 0.1;    // lower clip: this quantile of the channel scales
constexpr double kSmoothQuantScaleCeiling = 100.0;

}  // namespace jpqd::compression
