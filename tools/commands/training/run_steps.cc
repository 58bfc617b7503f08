#include "commands/training/run_steps.h"

namespace jpqd::cli {

void train_and_save(training::Trainer& trainer) {
  auto result = trainer.train();
  trainer.save_model();
  trainer.save_metrics("train", result.metrics);
}

}  // namespace jpqd::cli
