// Steps the training subcommands (glue, qa, pretrain) share after their data and model are ready.
#pragma once

#include "training/trainer.h"

namespace jpqd::cli {

// train(), save_model(), train_results.json: HF's `if training_args.do_train` block.
void train_and_save(training::Trainer& trainer);

}  // namespace jpqd::cli
