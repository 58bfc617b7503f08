// Each subcommand lives in its own file and registers itself on the root CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace jpqd::cli {

// Deployment world (no LibTorch).
void register_benchmark_command(CLI::App& app);
void register_eval_command(CLI::App& app);
void register_inspect_command(CLI::App& app);
void register_tokenize_command(CLI::App& app);

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
#endif

}  // namespace jpqd::cli
