// What the trainer sees of a compression algorithm (NNCF's CompressionAlgorithmController).
//
// The trainer drives every algorithm through this interface only; no algorithm knows another. The
// composite controller sums their losses, forwards scheduler steps and merges statistics, which is how
// movement sparsity and quantization run jointly (docs/algorithms.md section 0 gives the order of calls).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "compression/api/collectives.h"

namespace jpqd::compression {

class Controller {
 public:
  virtual ~Controller() = default;

  // "movement_sparsity", "quantization": the prefix of its statistics ("compression/<name>/...").
  virtual std::string name() const = 0;

  // Range initialisation (quantization) before the first training step: the trainer calls
  // begin_initialization(), runs forward passes (eval mode, no grad) on the first
  // init_samples_needed() training samples, then end_initialization(). In data-parallel training each
  // rank runs its share of those samples and passes `ranks`, which combines the statistics; in one
  // process `ranks` is null.
  virtual int64_t init_samples_needed() const { return 0; }
  virtual void begin_initialization() {}
  virtual void end_initialization(Collectives* ranks) {}

  // Scheduler: epoch_step() at the START of every epoch, step() at the START of every optimizer step
  // (i.e. before the first micro-batch of a gradient-accumulation group).
  virtual void epoch_step() {}
  virtual void step() {}

  // The algorithm's loss for the current forward (0-dim tensor; zero when it has none).
  virtual torch::Tensor loss() = 0;

  // Flat statistics logged under "compression/<name>/<key>" in log_history.
  virtual Json statistics() const = 0;
  // What the end of an epoch logs: the flat statistics plus detail too large for every logging step
  // (NNCF prints its per-layer tables once an epoch).
  virtual Json epoch_statistics() const { return statistics(); }

  // Everything a resumed run needs to continue exactly (scheduler step, thresholds, flags). Tensors
  // (scores, masks, quantizer ranges) live in the model's state dict, not here.
  virtual Json state() const { return Json::object(); }
  virtual void load_state(const Json& state) {}

  // Files the algorithm writes into the output directory (e.g. structured_sparsity.csv).
  virtual void set_output_dir(const std::string& dir) {}
};

// Runs several controllers as one: summed losses, forwarded steps, merged statistics and state.
class CompositeController : public Controller {
 public:
  void add(std::unique_ptr<Controller> controller);
  const std::vector<std::unique_ptr<Controller>>& children() const { return children_; }
  Controller* find(const std::string& name) const;

  std::string name() const override { return "composite"; }
  int64_t init_samples_needed() const override;
  void begin_initialization() override;
  void end_initialization(Collectives* ranks) override;
  void epoch_step() override;
  void step() override;
  torch::Tensor loss() override;
  Json statistics() const override;  // {"compression/<child>/<key>": value, ...}
  Json epoch_statistics() const override;
  Json state() const override;       // {"<child>": state, ...}
  void load_state(const Json& state) override;
  void set_output_dir(const std::string& dir) override;

 private:
  std::vector<std::unique_ptr<Controller>> children_;
};

}  // namespace jpqd::compression
