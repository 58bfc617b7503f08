#include "compression/sparsity/movement/movement_sparsity_controller.h"

#include <cmath>

#include "common/error.h"
#include "common/logging.h"
#include "compression/sparsity/movement/sparsity_statistics.h"
#include "compression/sparsity/movement/structured_sparsity_report.h"

namespace jpqd::compression {

namespace {

std::vector<std::shared_ptr<MovementSparsifier>> sparsifiers_of(const std::vector<SparsifiedLayer>& layers) {
  std::vector<std::shared_ptr<MovementSparsifier>> out;
  for (const auto& l : layers) out.push_back(l.sparsifier);
  return out;
}

}  // namespace

MovementSparsityController::MovementSparsityController(MovementSparsityConfig config,
                                                       std::vector<SparsifiedLayer> layers,
                                                       std::vector<StructuredGroup> groups,
                                                       std::vector<torch::Tensor> model_parameters)
    : config_(std::move(config)),
      layers_(std::move(layers)),
      model_parameters_(std::move(model_parameters)),
      loss_(sparsifiers_of(layers_)),
      resolver_(std::move(groups)),
      scheduler_(config_, MovementScheduler::Callbacks{
                              [this] { return compute_init_threshold(); },
                              [this] {
                                if (config_.enable_structured_masking) apply_structured_masking();
                                freeze();
                              },
                              [this](double tau, double lambda) {
                                for (auto& l : layers_) {
                                  l.sparsifier->set_importance_threshold(tau);
                                  l.sparsifier->set_importance_regularization_factor(lambda);
                                }
                              }}) {}

double MovementSparsityController::compute_init_threshold() const {
  torch::NoGradGuard no_grad;
  // Every score stands for f0*f1 (weight) or f0 (bias) equal elements of the expanded tensors; walking
  // the sorted scores with those multiplicities finds the k-th smallest expanded element without
  // building the (BERT-base: ~85M elements) concatenation NNCF sorts.
  std::vector<torch::Tensor> values, counts;
  int64_t n = 0;
  for (const auto& l : layers_) {
    const auto& s = *l.sparsifier;
    const auto w = s.weight_importance.detach().to(torch::kCPU).flatten();
    values.push_back(w);
    counts.push_back(torch::full({w.numel()}, s.factors().elements(), torch::kLong));
    n += w.numel() * s.factors().elements();
    if (s.has_bias()) {
      const auto b = s.bias_importance.detach().to(torch::kCPU).flatten();
      values.push_back(b);
      counts.push_back(torch::full({b.numel()}, s.factors().rows, torch::kLong));
      n += b.numel() * s.factors().rows;
    }
  }
  TORCH_CHECK(n > 0, "movement sparsity: no importance scores");
  // NNCF: int(N * 0.001) + 1 in double precision, at most N.
  const int64_t k = std::min<int64_t>(n, static_cast<int64_t>(static_cast<double>(n) * 0.001) + 1);
  const torch::Tensor all = torch::cat(values);
  const auto [sorted, order] = all.sort();
  const torch::Tensor cumulative = torch::cat(counts).index_select(0, order).cumsum(0);
  // First position whose cumulative count reaches k.
  const int64_t pos = torch::searchsorted(cumulative, torch::scalar_tensor(k, torch::kLong)).item<int64_t>();
  return sorted[pos].item<double>();
}

void MovementSparsityController::apply_structured_masking() {
  resolver_.apply();
  structured_done_ = true;
  const Json summary = structured_sparsity_summary(resolver_.groups());
  const Json& t = summary["total"];
  log_info("movement_sparsity: structured masking kept ", t["heads_kept"].get<int64_t>(), "/",
           t["heads"].get<int64_t>(), " attention heads and ", t["ffn_neurons_kept"].get<int64_t>(), "/",
           t["ffn_neurons"].get<int64_t>(), " FFN neurons (", t["parameters_after"].get<int64_t>(), " of ",
           t["parameters_before"].get<int64_t>(), " block parameters)");
  if (!output_dir_.empty()) write_structured_sparsity_reports(resolver_.groups(), output_dir_);
}

void MovementSparsityController::freeze() {
  loss_.disable();
  for (auto& l : layers_) l.sparsifier->freeze();
}

SparsityStatistics MovementSparsityController::collect_statistics() const {
  std::vector<SparsifiedParams> params;
  for (const auto& l : layers_) params.push_back({l.name, l.linear->weight, l.linear->bias, l.sparsifier.get()});
  return collect_sparsity_statistics(params, model_parameters_);
}

Json MovementSparsityController::flat_statistics(const SparsityStatistics& s) const {
  Json out = {{"model_sparsity", s.model_sparsity},
              {"linear_layer_sparsity", s.linear_layer_sparsity},
              {"importance_regularization_factor", scheduler_.importance_regularization_factor()}};
  const double tau = scheduler_.importance_threshold();
  if (std::isfinite(tau)) out["importance_threshold"] = tau;
  return out;
}

Json MovementSparsityController::statistics() const { return flat_statistics(collect_statistics()); }

Json MovementSparsityController::layer_statistics() const { return collect_statistics().layers; }

Json MovementSparsityController::epoch_statistics() const {
  const SparsityStatistics s = collect_statistics();
  Json out = flat_statistics(s);
  out["layers"] = s.layers;
  return out;
}

Json MovementSparsityController::state() const {
  Json s = scheduler_.state();
  s["structured_done"] = structured_done_;
  return s;
}

void MovementSparsityController::load_state(const Json& state) {
  const std::string where = "checkpoint: movement_sparsity state";
  JPQD_CHECK(state.is_object(), FormatError, where, ": expected an object, got ", state.dump());
  Json scheduler_state = state;
  structured_done_ = false;
  if (state.contains("structured_done")) {
    JPQD_CHECK(state["structured_done"].is_boolean(), FormatError, where, ".structured_done: expected true or false");
    structured_done_ = state["structured_done"].get<bool>();
    scheduler_state.erase("structured_done");
  }
  scheduler_.load_state(scheduler_state, where);
  // The masks themselves come back with the model's tensors; only the flags need restoring here.
  if (scheduler_.frozen()) freeze();
}

}  // namespace jpqd::compression
