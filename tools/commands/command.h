// Each subcommand lives in its own file and registers itself on the root CLI11 app.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace jpqd::cli {

// Deployment world (no LibTorch).
void register_benchmark_command(CLI::App& app);
void register_eval_command(CLI::App& app);
void register_inspect_command(CLI::App& app);
void register_tokenize_command(CLI::App& app);
// All of the above (tools/commands/runtime/register_commands.cc).
void register_runtime_commands(CLI::App& app);

// benchmark_app spells its long options with one dash (-hint, -nstreams, -niter); CLI11 reads "-hint" as the
// short flags -h -i -n -t, so such options are rewritten to their two-dash form before parsing.
std::vector<std::string> normalise_single_dash_options(std::vector<std::string> args);

#ifdef JPQD_WITH_TRAINING
void register_glue_command(CLI::App& app);
void register_qa_command(CLI::App& app);
void register_pretrain_command(CLI::App& app);
void register_predict_command(CLI::App& app);
void register_export_command(CLI::App& app);
void register_report_command(CLI::App& app);
void register_quantizers_command(CLI::App& app);
void register_quantize_command(CLI::App& app);
void register_convert_command(CLI::App& app);
void register_launch_command(CLI::App& app);
// All training commands (tools/commands/training/register_commands.cc).
void register_training_commands(CLI::App& app);
#endif

}  // namespace jpqd::cli
