#include "export/export_run.h"

#include <filesystem>

#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "compression/build_controller.h"
#include "export/build_exported_model.h"
#include "export/model_file_export.h"
#include "export/onnx_writer.h"
#include "model/hf_checkpoint.h"
#include "training/checkpoint.h"

namespace jpqd::exporter {

namespace fs = std::filesystem;

Json export_trained_model(model::BertImpl& model, const compression::CompositeController* controller,
                          const text::Tokenizer& tokenizer, const ExportTargets& targets, ExportNotes notes) {
  check_writable_directory(targets.dir);
  ExportedModel exported = build_exported_model(model, controller, &notes);
  exported.provenance = targets.provenance;
  // Created only once the model has been built, so an export that fails leaves no empty directory behind.
  ensure_writable_directory(targets.dir);
  const fs::path dir(targets.dir);
  Json summary = {{"pruned", notes.pruned},
                  {"quantized", notes.quantized},
                  {"notes", notes.messages},
                  {"pruning", exported.pruning},
                  {"files", Json::object()}};
  if (targets.model_file) {
    const auto path = (dir / "model.jpqd").string();
    write_model_file(exported, tokenizer, path);
    summary["files"]["model.jpqd"] = fs::file_size(path);
  }
  if (targets.onnx) {
    const auto path = (dir / "model.onnx").string();
    write_onnx(exported, path);
    summary["files"]["model.onnx"] = fs::file_size(path);
  }
  write_file_atomically((dir / "export.json").string(), summary.dump(2) + "\n");
  log_info("Exported ", notes.pruned ? "pruned " : "dense ", notes.quantized ? "INT8" : "FP32", " model to ",
           targets.dir);
  return summary;
}

Json export_directory(const std::string& run_dir, ExportTargets targets) {
  const fs::path dir(run_dir);
  JPQD_CHECK(file_exists((dir / "config.json").string()), IoError, run_dir,
             ": not a training output or checkpoint directory (no config.json)");
  if (targets.dir.empty()) targets.dir = run_dir;
  // Loading a large model takes a while: an unwritable --output_dir must not be found only afterwards.
  check_writable_directory(targets.dir);
  const auto config = model::BertConfig::from_file((dir / "config.json").string());
  model::Bert model = model::load_pretrained(run_dir, model::task_head_of(config));
  const auto tokenizer = text::Tokenizer::from_directory(run_dir);
  std::unique_ptr<compression::CompositeController> controller;
  ExportNotes notes;
  const auto config_path = (dir / "compression_config.json").string();
  if (file_exists(config_path)) {
    controller = compression::build_controller(compression::CompressionConfig::from_file(config_path), *model, {});
    if (file_exists((dir / "compression_state.safetensors").string())) {
      training::load_compression_state(run_dir, *model);
      const auto state_path = (dir / "trainer_state.json").string();
      if (file_exists(state_path)) {
        const Json state = read_json_file(state_path);
        if (state.contains("compression_state") && !state["compression_state"].empty())
          controller->load_state(state["compression_state"]);
      }
    } else {
      // The trained masks and quantizer ranges live only in that file: without it there is nothing
      // to prune or quantize with, and untrained ones must not be folded into the weights.
      notes.messages.push_back(run_dir +
                               ": compression_config.json but no compression_state.safetensors (no mask or quantizer "
                               "state): exported the plain FP32 dense model");
      controller.reset();
    }
  }
  model->eval();
  if (targets.provenance.empty()) targets.provenance = {{"source", run_dir}};
  return export_trained_model(*model, controller.get(), tokenizer, targets, std::move(notes));
}

}  // namespace jpqd::exporter
