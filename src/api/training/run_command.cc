// jpqd::run_command: every subcommand of the `jpqd` binary, in this process.
#include "api/command_runner.h"
#include "commands/command.h"
#include "jpqd/training.h"

namespace jpqd {

void run_command(const std::vector<std::string>& args) {
  api::run_cli(args, [](CLI::App& app) {
    cli::register_training_commands(app);
    cli::register_runtime_commands(app);
  });
}

}  // namespace jpqd
