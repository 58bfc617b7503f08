#include "commands/training/run_steps.h"

#include "export/export_run.h"
#include "export/report/compression_report.h"

namespace jpqd::cli {

void export_when_saved(training::Trainer& trainer, const text::BertTokenizer& tokenizer, Json provenance) {
  provenance["training_args"] = trainer.args().to_json();
  trainer.set_export_hook([&trainer, &tokenizer, provenance](const std::string& dir) {
    exporter::export_trained_model(*trainer.model(), trainer.controller(), tokenizer, {dir, true, true, provenance});
    exporter::write_compression_report({dir, "", "gnuplot"});
  });
}

void train_and_save(training::Trainer& trainer) {
  auto result = trainer.train();
  trainer.save_model();
  trainer.save_metrics("train", result.metrics);
}

}  // namespace jpqd::cli
