// Movement sparsity as one compression::Controller ("movement_sparsity"): the per-layer sparsifiers,
// their scheduler, the importance loss, structured masking at the end of warm-up and the statistics.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compression/api/controller.h"
#include "compression/config/movement_sparsity_config.h"
#include "compression/sparsity/movement/importance_loss.h"
#include "compression/sparsity/movement/movement_scheduler.h"
#include "compression/sparsity/movement/movement_sparsifier.h"
#include "compression/sparsity/movement/sparsity_statistics.h"
#include "compression/sparsity/movement/structured_mask_resolver.h"
#include "model/model_graph.h"

namespace jpqd::compression {

struct SparsifiedLayer {
  std::string name;   // Hugging Face module name
  std::string scope;  // NNCF-style node name
  int layer_index = -1;
  model::NodeRole role = model::NodeRole::kOther;
  model::CompressibleLinearImpl* linear = nullptr;
  std::shared_ptr<MovementSparsifier> sparsifier;
};

class MovementSparsityController : public Controller {
 public:
  // `groups` may be empty (structured masking disabled or no BERT blocks); `model_parameters` are the
  // model's own parameters, for model_sparsity.
  MovementSparsityController(MovementSparsityConfig config, std::vector<SparsifiedLayer> layers,
                             std::vector<StructuredGroup> groups, std::vector<torch::Tensor> model_parameters);

  std::string name() const override { return "movement_sparsity"; }
  void epoch_step() override { scheduler_.epoch_step(); }
  void step() override { scheduler_.step(); }
  torch::Tensor loss() override { return loss_.calculate(); }
  // model_sparsity, linear_layer_sparsity, importance_threshold (left out while it is -inf: JSON has no
  // infinity), importance_regularization_factor.
  Json statistics() const override;
  // statistics() plus {"layers": layer_statistics()}.
  Json epoch_statistics() const override;
  // Scheduler state plus {"structured_done"}.
  Json state() const override;
  void load_state(const Json& state) override;
  void set_output_dir(const std::string& dir) override { output_dir_ = dir; }

  // Per-layer table (name, shapes, sparsity level, share of the sparsified parameters in %).
  Json layer_statistics() const;

  // Structured masking now (normally called by the scheduler at the first POST_WARMUP step): resolves
  // and populates the masks and writes structured_sparsity.{csv,json} into the output dir if one is set.
  void apply_structured_masking();
  // Disables the loss and fixes every layer's masks.
  void freeze();

  // k-th smallest of all expanded scores (weights and biases of every layer), k = min(N, floor(0.001 N)+1):
  // the automatic init_importance_threshold.
  double compute_init_threshold() const;

  const MovementScheduler& scheduler() const { return scheduler_; }
  const std::vector<SparsifiedLayer>& layers() const { return layers_; }
  const StructuredMaskResolver& structured_masks() const { return resolver_; }
  bool structured_masking_done() const { return structured_done_; }
  bool frozen() const { return scheduler_.frozen(); }
  const MovementSparsityConfig& config() const { return config_; }

 private:
  SparsityStatistics collect_statistics() const;
  Json flat_statistics(const SparsityStatistics& s) const;

  MovementSparsityConfig config_;
  std::vector<SparsifiedLayer> layers_;
  std::vector<torch::Tensor> model_parameters_;
  ImportanceLoss loss_;
  StructuredMaskResolver resolver_;
  MovementScheduler scheduler_;
  std::string output_dir_;
  bool structured_done_ = false;
};

}  // namespace jpqd::compression
