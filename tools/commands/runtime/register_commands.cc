// The one list of deployment commands, shared by the `jpqd` binary and the library's run_command.
#include "commands/command.h"

namespace jpqd::cli {

void register_runtime_commands(CLI::App& app) {
  register_eval_command(app);
  register_benchmark_command(app);
  register_inspect_command(app);
  register_tokenize_command(app);
}

std::vector<std::string> normalise_single_dash_options(std::vector<std::string> args) {
  static const char* kLongSingleDash[] = {"-hint", "-nstreams", "-niter", "-nireq", "-shape", "-api",
                                          "-report_type", "-report_folder", "-json_stats"};
  for (std::string& a : args)
    for (const char* opt : kLongSingleDash)
      if (a == opt || a.rfind(std::string(opt) + "=", 0) == 0) a = "-" + a;
  return args;
}

}  // namespace jpqd::cli
