// jpqd report: the compression report (figures + markdown) of a training output directory.
#include "commands/command.h"
#include "export/report/compression_report.h"

namespace jpqd::cli {

void register_report_command(CLI::App& app) {
  auto options = std::make_shared<exporter::ReportOptions>();
  CLI::App* cmd = app.add_subcommand("report", "Write the compression report (sparsity over training, parameters and "
                                               "heads per layer, compression rate) of a training run");
  cmd->add_option("output_dir", options->output_dir, "The run's --output_dir")->required();
  cmd->add_option("--report_dir", options->report_dir, "Where to write it (default: <output_dir>/report)");
  cmd->add_option("--gnuplot", options->gnuplot, "gnuplot executable")->capture_default_str();
  cmd->callback([options] { exporter::write_compression_report(*options); });
}

}  // namespace jpqd::cli
