// OVTrainer's save_model() for a C++ Trainer: once attached, every save_model() also exports the saved
// model (physically pruned INT8 model.jpqd and model.onnx, export.json) and writes the compression
// report next to it. `jpqd glue`/`jpqd qa` and library users (examples/sst2_jpqd.cc) attach the same one.
#pragma once

#include <string>

#include "common/json_util.h"
#include "training/trainer.h"

namespace jpqd::exporter {

struct ExportOnSaveOptions {
  Json provenance = Json::object();  // goes into model.jpqd and export.json; the training arguments are added
  bool onnx = true;
  bool report = true;  // report/ with gnuplot figures
  std::string gnuplot = "gnuplot";
};

// Fails now, not after training, when the trainer has no tokenizer (model.jpqd carries the vocabulary).
// The trainer must outlive its save_model() calls, as it always does.
void export_on_save(training::Trainer& trainer, ExportOnSaveOptions options = {});

}  // namespace jpqd::exporter
