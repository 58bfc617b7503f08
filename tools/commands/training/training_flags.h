// Flags shared by the training subcommands (glue, qa, pretrain), named as Hugging Face's
// TrainingArguments and Optimum Intel's OVTrainingArguments name them.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "training/training_arguments.h"

namespace jpqd::cli {

struct TrainingFlags {
  training::TrainingArguments args;
  std::string evaluation_strategy = "no";
  std::string save_strategy = "steps";
  bool no_cuda = false;
  bool report_to_none = true;

  // Resolves the string flags into args and validates; throws InvalidArgument naming the flag.
  training::TrainingArguments resolve();
};

void add_training_flags(CLI::App& app, TrainingFlags& flags);

// Fails before any work when output_dir exists, is not empty, and neither --overwrite_output_dir nor
// --resume_from_checkpoint was given (HF's message). As in HF, --overwrite_output_dir deletes nothing:
// files are overwritten as the run writes them.
void prepare_output_dir(const training::TrainingArguments& args);

}  // namespace jpqd::cli
