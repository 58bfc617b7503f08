// Builds the compression controller for a model from a parsed config: attaches every algorithm's
// hooks to the model and returns one composite controller the trainer drives.
#pragma once

#include <memory>
#include <string>

#include "compression/api/controller.h"
#include "compression/config/compression_config.h"
#include "model/bert.h"

namespace jpqd::compression {

struct BuildContext {
  std::string output_dir;       // where algorithms write their files (structured_sparsity.csv)
  int64_t num_train_epochs = 0; // for validating warm-up epochs; 0 = unknown
  // --max_steps ends training early on purpose (smoke runs, benchmarks): a warm-up it cuts short is
  // worth a warning, not a refusal.
  bool epochs_set_by_max_steps = false;
  int64_t train_samples = 0;    // for validating num_init_samples; 0 = unknown
};

std::unique_ptr<CompositeController> build_controller(const CompressionConfig& config, model::BertImpl& model,
                                                      const BuildContext& context);

}  // namespace jpqd::compression
