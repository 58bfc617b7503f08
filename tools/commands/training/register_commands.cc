// The one list of training commands, shared by the `jpqd` binary and the library's run_command.
#include "commands/command.h"

namespace jpqd::cli {

void register_training_commands(CLI::App& app) {
  register_glue_command(app);
  register_qa_command(app);
  register_pretrain_command(app);
  register_predict_command(app);
  register_export_command(app);
  register_report_command(app);
  register_quantizers_command(app);
  register_quantize_command(app);
  register_convert_command(app);
  register_launch_command(app);
}

}  // namespace jpqd::cli
