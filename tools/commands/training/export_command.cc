// jpqd export: a training output or checkpoint directory -> model.jpqd (jpqd's runtime) and model.onnx.
#include "commands/command.h"
#include "export/export_run.h"

namespace jpqd::cli {

void register_export_command(CLI::App& app) {
  auto run_dir = std::make_shared<std::string>();
  auto targets = std::make_shared<exporter::ExportTargets>();
  auto skip_onnx = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("export", "Export a trained run as a physically pruned INT8 model.jpqd and "
                                               "model.onnx (QuantizeLinear/DequantizeLinear)");
  cmd->add_option("run_dir", *run_dir, "A training --output_dir or one of its checkpoint-N directories")->required();
  cmd->add_option("--output_dir", targets->dir, "Where to write (default: run_dir)");
  cmd->add_flag("--no_onnx", *skip_onnx, "Write model.jpqd only");
  cmd->callback([run_dir, targets, skip_onnx] {
    targets->onnx = !*skip_onnx;
    exporter::export_directory(*run_dir, *targets);
  });
}

}  // namespace jpqd::cli
