// jpqd::runtime::run_command: the deployment subcommands of the `jpqd` binary, in this process.
#include "api/command_runner.h"
#include "commands/command.h"
#include "jpqd/runtime.h"

namespace jpqd::runtime {

void run_command(const std::vector<std::string>& args) {
  api::run_cli(args, cli::register_runtime_commands);
}

}  // namespace jpqd::runtime
