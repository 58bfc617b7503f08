// The CLI's subcommands as library calls: parse `args` with the commands `register_commands` adds and run
// the chosen one. Errors are thrown, not printed (a bad flag is an InvalidArgument with CLI11's message);
// --help and --version print and return. Header-only so that each shared library builds its own copy.
#pragma once

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "commands/command.h"
#include "common/error.h"

namespace jpqd::api {

template <typename Register>
void run_cli(const std::vector<std::string>& args, Register register_commands) {
  CLI::App app{"jpqd"};
  app.require_subcommand(1);
  register_commands(app);
  const std::vector<std::string> normalised = cli::normalise_single_dash_options(args);
  std::vector<std::string> reversed(normalised.rbegin(), normalised.rend());  // CLI11 parses a reversed vector
  try {
    app.parse(reversed);
  } catch (const CLI::Success& e) {  // --help, --help-all, --version
    app.exit(e);
  } catch (const CLI::ParseError& e) {
    throw InvalidArgument(e.what());
  }
}

}  // namespace jpqd::api
