// Steps the training subcommands (glue, qa, pretrain) share after their data and model are ready.
#pragma once

#include "common/json_util.h"
#include "text/bert_tokenizer.h"
#include "training/trainer.h"

namespace jpqd::cli {

// As OVTrainer's save_model(): the saved model is also exported (physically pruned INT8 model.jpqd and
// model.onnx) and the compression report is written next to it. `provenance` goes into the exports.
void export_when_saved(training::Trainer& trainer, const text::BertTokenizer& tokenizer, Json provenance);

// train(), save_model(), train_results.json: HF's `if training_args.do_train` block.
void train_and_save(training::Trainer& trainer);

}  // namespace jpqd::cli
