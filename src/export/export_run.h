// The end of a JPQD run as OVTrainer does it: the trained model becomes a physically pruned INT8
// model.jpqd (for jpqd's runtime) and model.onnx (QuantizeLinear/DequantizeLinear, for ONNX Runtime and
// OpenVINO), plus export.json saying what was exported and why. Used by save_model() at the end of
// training and by `jpqd export` on an output or checkpoint directory.
#pragma once

#include <string>

#include "common/json_util.h"
#include "compression/api/controller.h"
#include "export/build_exported_model.h"
#include "model/bert.h"
#include "text/tokenizer.h"

namespace jpqd::exporter {

struct ExportTargets {
  std::string dir;          // where model.jpqd, model.onnx and export.json go
  bool model_file = true;
  bool onnx = true;
  Json provenance = Json::object();
};

// Returns export.json's content. Fails before any work when `dir` is not writable; files are written
// under temporary names and renamed, so a failed export leaves nothing under the final names.
// `notes` carries what the caller already knows about why the export is dense or FP32 (a checkpoint
// without compression state); the export adds its own, logs them all and writes them to export.json.
Json export_trained_model(model::BertImpl& model, const compression::CompositeController* controller,
                          const text::Tokenizer& tokenizer, const ExportTargets& targets, ExportNotes notes = {});

// `jpqd export`: rebuilds the run's model and compression state from a training output or checkpoint
// directory (config.json, model.safetensors, compression_config.json, compression_state.safetensors,
// trainer_state.json) and exports it into targets.dir (default: the same directory).
Json export_directory(const std::string& run_dir, ExportTargets targets);

}  // namespace jpqd::exporter
