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

// One rule for data files in every command (README, "Data files"): a file flag (--train_file,
// --validation_file, --test_file) is read whenever the step that needs it runs, also with --task_name,
// where it replaces that split of the task's data. Given without that step it is not read: this
// warns in one line naming the flag, the file and the step it needs.
void warn_if_unread(const char* flag, const std::string& path, bool read, const char* needs);

// Fails before any work when output_dir exists, is not empty, and neither --overwrite_output_dir nor
// --resume_from_checkpoint was given (HF's message). As in HF, --overwrite_output_dir deletes nothing:
// files are overwritten as the run writes them.
void prepare_output_dir(const training::TrainingArguments& args);

}  // namespace jpqd::cli
