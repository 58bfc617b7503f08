#include "compression/quantization/smooth_quant.h"

#include <limits>
#include <map>
#include <optional>
#include <string>

#include "common/error.h"
#include "common/logging.h"

namespace jpqd::compression {

namespace {

using model::NodeKind;
using model::NodeRole;

constexpr const char* kSmoothQuantHookName = "smooth_quant_statistics";

std::string smooth_quant_skip_reason(NodeRole role, const model::BertConfig& config) {
  switch (role) {
    case NodeRole::kQuery:
    case NodeRole::kKey:
    case NodeRole::kValue:
    case NodeRole::kIntermediate:
      return "its input is a LayerNorm output that is also the residual stream";
    case NodeRole::kOutput:
      return "its input comes out of " + config.hidden_act + ", which a per-channel scale does not commute with";
    case NodeRole::kClassifier:
      return "its input comes out of a tanh";
    default:
      return "its input is a LayerNorm or activation output, not a Linear's rows";
  }
}

}  // namespace

std::vector<SmoothQuantSite> smooth_quant_sites(model::BertImpl& model, std::vector<SmoothQuantSkip>* skipped) {
  const model::ModelGraph graph = model.graph();
  const bool relu_ffn = model.config().hidden_act == "relu";
  const bool relu_classifier = model.architecture().classifier == architecture::ClassifierHead::kPreClassifierRelu;
  // The producer of each consumer role, within one encoder layer (or outside the encoder: layer -1).
  std::map<std::pair<int, NodeRole>, const model::ModelNode*> by_role;
  for (const auto& node : graph)
    if (node.kind == NodeKind::kLinear) by_role[{node.layer_index, node.role}] = &node;
  auto producer_role = [&](NodeRole consumer) -> std::optional<NodeRole> {
    if (consumer == NodeRole::kAttentionOutput) return NodeRole::kValue;
    if (consumer == NodeRole::kOutput && relu_ffn) return NodeRole::kIntermediate;
    if (consumer == NodeRole::kClassifier && relu_classifier) return NodeRole::kPreClassifier;
    return std::nullopt;
  };
  std::vector<SmoothQuantSite> sites;
  for (const auto& node : graph) {
    if (node.kind != NodeKind::kLinear) continue;
    const auto role = producer_role(node.role);
    const auto found = role ? by_role.find({node.layer_index, *role}) : by_role.end();
    if (found == by_role.end() || node.linear->in_features == 0) {
      if (skipped)
        skipped->push_back({node.name, node.linear->in_features == 0 ? "it has no inputs left (pruned)"
                                                                      : smooth_quant_skip_reason(node.role, model.config())});
      continue;
    }
    const model::ModelNode& producer = *found->second;
    TORCH_CHECK(producer.linear->out_features == node.linear->in_features, "smooth quant: ", producer.name, " has ",
                producer.linear->out_features, " outputs but ", node.name, " reads ", node.linear->in_features);
    sites.push_back({node.name, producer.name, node.linear, producer.linear});
  }
  return sites;
}

class SmoothQuantStatistics::Recorder : public model::TensorHook {
 public:
  torch::Tensor transform(const torch::Tensor& x) override {
    if (x.numel() == 0) return x;
    const torch::NoGradGuard no_grad;
    const torch::Tensor m = x.detach().abs().reshape({-1, x.size(-1)}).amax(0).to(torch::kFloat64);
    abs_max = abs_max.defined() ? torch::maximum(abs_max, m) : m;
    return x;
  }
  torch::Tensor abs_max;
};

SmoothQuantStatistics::SmoothQuantStatistics(std::vector<SmoothQuantSite> sites) : sites_(std::move(sites)) {
  for (const auto& site : sites_) {
    TORCH_CHECK(site.consumer->input_hooks().empty() && site.consumer->params_hooks().empty(), "smooth quant: ",
                site.name, " already carries compression hooks; SmoothQuant must run on the plain FP32 model");
    auto recorder = std::make_shared<Recorder>();
    site.consumer->add_input_hook(kSmoothQuantHookName, recorder, 0);
    recorders_.push_back(recorder);
  }
}

SmoothQuantStatistics::~SmoothQuantStatistics() {
  // The constructor checked that the statistics hook is the consumer's only one.
  for (const auto& site : sites_) site.consumer->clear_hooks();
}

torch::Tensor SmoothQuantStatistics::abs_max(size_t i) const { return recorders_.at(i)->abs_max; }

torch::Tensor smooth_quant_scales(const torch::Tensor& activation_abs_max, const torch::Tensor& weight, double alpha) {
  TORCH_CHECK(alpha >= 0 && alpha <= 1, "smooth quant: alpha ", alpha, " outside [0, 1]");
  TORCH_CHECK(weight.dim() == 2 && activation_abs_max.dim() == 1 && weight.size(1) == activation_abs_max.size(0),
              "smooth quant: statistics of ", activation_abs_max.sizes(), " for a weight of ", weight.sizes());
  const torch::NoGradGuard no_grad;
  const torch::Tensor x = activation_abs_max.to(torch::kFloat64).clamp_min(kSmoothQuantStatisticFloor);
  const torch::Tensor w = weight.detach().abs().amax(0).to(torch::kFloat64).clamp_min(kSmoothQuantStatisticFloor);
  // NNCF divides by w^(1-α) + eps, with the eps of its float32 statistics.
  const double eps = std::numeric_limits<float>::epsilon();
  torch::Tensor s = x.pow(alpha) / (w.pow(1 - alpha) + eps);
  const double low = torch::quantile(s, kSmoothQuantScaleQuantile).item<double>();
  return s.clamp(low, kSmoothQuantScaleCeiling);
}

void fold_smooth_quant_scales(const SmoothQuantSite& site, const torch::Tensor& scales) {
  TORCH_CHECK(scales.dim() == 1 && scales.size(0) == site.consumer->in_features, "smooth quant: ", scales.size(0),
              " scales for ", site.name, " with ", site.consumer->in_features, " inputs");
  TORCH_CHECK(scales.gt(0).all().item<bool>(), "smooth quant: non-positive scale for ", site.name);
  const torch::NoGradGuard no_grad;
  const torch::Tensor s = scales.to(site.consumer->weight.device(), torch::kFloat64);
  auto rescale = [](torch::Tensor& t, const torch::Tensor& by, bool divide) {
    const torch::Tensor t64 = t.to(torch::kFloat64);
    t.copy_((divide ? t64 / by : t64 * by).to(t.scalar_type()));
  };
  rescale(site.consumer->weight, s.unsqueeze(0), false);
  rescale(site.producer->weight, s.unsqueeze(1), true);
  if (site.producer->bias.defined()) rescale(site.producer->bias, s, true);
}

Json apply_smooth_quant(const SmoothQuantStatistics& statistics, double alpha) {
  Json out = Json::array();
  for (size_t i = 0; i < statistics.sites().size(); ++i) {
    const SmoothQuantSite& site = statistics.sites()[i];
    const torch::Tensor x = statistics.abs_max(i);
    if (!x.defined()) {
      log_warning("smooth quant: ", site.name, " saw no calibration data; left unscaled");
      continue;
    }
    const torch::Tensor s = smooth_quant_scales(x, site.consumer->weight, alpha);
    fold_smooth_quant_scales(site, s);
    out.push_back({{"name", site.name},
                   {"producer", site.producer_name},
                   {"alpha", alpha},
                   {"scale_min", s.min().item<double>()},
                   {"scale_max", s.max().item<double>()},
                   {"activation_abs_max_before", x.max().item<double>()},
                   {"activation_abs_max_after", (x / s).max().item<double>()}});
  }
  return out;
}

}  // namespace jpqd::compression
