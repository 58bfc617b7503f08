#include "commands/training/training_flags.h"

#include <filesystem>

#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "training/checkpoint.h"

namespace jpqd::cli {

namespace fs = std::filesystem;

void add_training_flags(CLI::App& app, TrainingFlags& f) {
  auto& a = f.args;
  app.add_option("--output_dir", a.output_dir, "Where checkpoints, logs, results and the exported model go")
      ->required();
  app.add_flag("--overwrite_output_dir", a.overwrite_output_dir, "Reuse a non-empty output directory");
  app.add_flag("--do_train", a.do_train, "Run training");
  app.add_flag("--do_eval", a.do_eval, "Evaluate on the validation set");
  app.add_flag("--do_predict", a.do_predict, "Write predictions (one JSON line per example)");
  app.add_option("--per_device_train_batch_size", a.per_device_train_batch_size, "Training batch size")
      ->capture_default_str();
  app.add_option("--per_device_eval_batch_size", a.per_device_eval_batch_size, "Evaluation batch size")
      ->capture_default_str();
  app.add_option("--gradient_accumulation_steps", a.gradient_accumulation_steps)->capture_default_str();
  app.add_option("--learning_rate", a.learning_rate)->capture_default_str();
  app.add_option("--weight_decay", a.weight_decay)->capture_default_str();
  app.add_option("--adam_beta1", a.adam_beta1)->capture_default_str();
  app.add_option("--adam_beta2", a.adam_beta2)->capture_default_str();
  app.add_option("--adam_epsilon", a.adam_epsilon)->capture_default_str();
  app.add_option("--max_grad_norm", a.max_grad_norm)->capture_default_str();
  app.add_option("--num_train_epochs", a.num_train_epochs)->capture_default_str();
  app.add_option("--max_steps", a.max_steps, "Total optimizer steps; overrides --num_train_epochs")
      ->capture_default_str();
  app.add_option("--lr_scheduler_type", a.lr_scheduler_type)->capture_default_str();
  app.add_option("--warmup_ratio", a.warmup_ratio)->capture_default_str();
  app.add_option("--warmup_steps", a.warmup_steps)->capture_default_str();
  app.add_option("--optim", a.optim, "adamw_torch (adamw_hf is accepted as the same optimizer)")
      ->capture_default_str();
  app.add_option("--logging_steps", a.logging_steps)->capture_default_str();
  app.add_flag("--logging_first_step", a.logging_first_step);
  app.add_option("--evaluation_strategy,--eval_strategy", f.evaluation_strategy, "no | steps | epoch")
      ->capture_default_str();
  app.add_option("--eval_steps", a.eval_steps, "Default: --logging_steps")->capture_default_str();
  app.add_option("--save_strategy", f.save_strategy, "no | steps | epoch")->capture_default_str();
  app.add_option("--save_steps", a.save_steps)->capture_default_str();
  app.add_option("--save_total_limit", a.save_total_limit, "Keep at most this many checkpoints (0 = all)")
      ->capture_default_str();
  app.add_option("--resume_from_checkpoint", a.resume_from_checkpoint,
                 "A checkpoint directory, or \"last\" for the newest valid one in --output_dir");
  app.add_option("--seed", a.seed)->capture_default_str();
  app.add_option("--threads", a.threads, "Intra-op threads (default: all cores)")->capture_default_str();
  app.add_flag("--fp16", a.fp16, "Mixed precision: bfloat16 autocast on CPUs that support it");
  app.add_flag("--bf16", a.bf16, "bfloat16 autocast");
  app.add_option("--device", a.device, "cpu | cuda[:N]")->capture_default_str();
  app.add_flag("--no_cuda,--use_cpu", f.no_cuda, "Train on the CPU even if CUDA is available");
  app.add_option("--ddp_timeout", a.ddp_timeout,
                 "Seconds a data-parallel rank waits for the others (start-up and every collective)")
      ->capture_default_str();
  app.add_flag("--disable_tqdm", a.disable_tqdm, "Plain log lines instead of a progress bar");
  app.add_flag("--skip_nonfinite_steps", a.skip_nonfinite_steps,
               "Skip an optimizer step whose loss or gradient is NaN/Inf instead of stopping");
  app.add_option("--distillation_weight", a.distillation_weight, "Weight of the distillation loss, in [0, 1]")
      ->capture_default_str();
  app.add_option("--distillation_temperature", a.distillation_temperature, "Softmax temperature, at least 1")
      ->capture_default_str();
  // Accepted for command-line compatibility with HF scripts; they change nothing here.
  app.add_option("--report_to", "Accepted for compatibility (jpqd logs to trainer_state.json)");
  app.add_option("--dataloader_num_workers", "Accepted for compatibility");
}

training::TrainingArguments TrainingFlags::resolve() {
  args.evaluation_strategy = training::parse_interval_strategy(evaluation_strategy, "--evaluation_strategy");
  args.save_strategy = training::parse_interval_strategy(save_strategy, "--save_strategy");
  if (no_cuda) args.device = "cpu";
  if (args.optim == "adamw_hf") args.optim = "adamw_torch";
  args.validate();
  return args;
}

void warn_if_unread(const char* flag, const std::string& path, bool read, const char* needs) {
  if (!path.empty() && !read) log_warning(flag, " ", path, " is not read: it is used only with ", needs);
}

void prepare_output_dir(const training::TrainingArguments& args) {
  const fs::path dir(args.output_dir);
  std::error_code ec;
  const bool non_empty = fs::is_directory(dir, ec) && !fs::is_empty(dir, ec);
  if (non_empty && args.do_train && !args.overwrite_output_dir && args.resume_from_checkpoint.empty())
    throw InvalidArgument(str_cat("Output directory (", args.output_dir,
                                  ") already exists and is not empty. Use --overwrite_output_dir to overcome."));
  // The trainer resumes only after creating the output directory: a checkpoint that cannot be resumed
  // from is refused here, so that it leaves no empty directory behind.
  if (args.do_train && args.resume_from_checkpoint == "last") {
    JPQD_CHECK(!training::list_checkpoints(args.output_dir).empty(), InvalidArgument,
               "--resume_from_checkpoint last: no valid checkpoint in ", args.output_dir);
  } else if (args.do_train && !args.resume_from_checkpoint.empty()) {
    training::verify_checkpoint(args.resume_from_checkpoint);
  }
  ensure_writable_directory(args.output_dir);
}

}  // namespace jpqd::cli
