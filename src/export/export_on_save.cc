#include "export/export_on_save.h"

#include "common/error.h"
#include "export/export_run.h"
#include "export/report/compression_report.h"

namespace jpqd::exporter {

void export_on_save(training::Trainer& trainer, ExportOnSaveOptions options) {
  JPQD_CHECK(trainer.tokenizer() != nullptr, InvalidArgument,
             "export_on_save: the Trainer has no tokenizer, and model.jpqd must carry the vocabulary");
  options.provenance["training_args"] = trainer.args().to_json();
  trainer.set_export_hook([&trainer, options](const std::string& dir) {
    export_trained_model(*trainer.model(), trainer.controller(), *trainer.tokenizer(),
                         {dir, /*model_file=*/true, options.onnx, options.provenance});
    if (options.report) write_compression_report({dir, "", options.gnuplot});
  });
}

}  // namespace jpqd::exporter
