// Hugging Face TrainingArguments (the subset that changes behaviour on a CPU) plus Optimum Intel's
// OVTrainingArguments additions (distillation weight and temperature). Field names are HF's, so the
// command line flags and training_args.json read the same as in transformers.
#pragma once

#include <string>

#include "common/json_util.h"

namespace jpqd::training {

enum class IntervalStrategy { kNo, kSteps, kEpoch };

IntervalStrategy parse_interval_strategy(const std::string& value, const std::string& flag);
std::string to_string(IntervalStrategy strategy);

struct TrainingArguments {
  std::string output_dir;
  bool overwrite_output_dir = false;
  bool do_train = false;
  bool do_eval = false;
  bool do_predict = false;

  int64_t per_device_train_batch_size = 8;
  int64_t per_device_eval_batch_size = 8;
  int64_t gradient_accumulation_steps = 1;
  double learning_rate = 5e-5;
  double weight_decay = 0.0;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-8;
  double max_grad_norm = 1.0;
  double num_train_epochs = 3.0;
  int64_t max_steps = -1;
  std::string lr_scheduler_type = "linear";  // linear | constant | constant_with_warmup
  double warmup_ratio = 0.0;
  int64_t warmup_steps = 0;
  std::string optim = "adamw_torch";

  int64_t logging_steps = 500;
  bool logging_first_step = false;
  IntervalStrategy evaluation_strategy = IntervalStrategy::kNo;
  int64_t eval_steps = 0;  // 0 = logging_steps, as HF
  IntervalStrategy save_strategy = IntervalStrategy::kSteps;
  int64_t save_steps = 500;
  int64_t save_total_limit = 0;  // 0 = keep all
  std::string resume_from_checkpoint;  // a checkpoint directory, or "last" for the newest in output_dir

  int64_t seed = 42;
  int64_t threads = 0;  // 0 = all cores
  bool fp16 = false;
  bool bf16 = false;
  std::string device = "cpu";  // cpu | cuda | cuda:N; with several ranks per machine, cuda means cuda:LOCAL_RANK
  int64_t ddp_timeout = 1800;  // seconds a data-parallel rank waits for the others before it stops
  bool disable_tqdm = false;
  bool skip_nonfinite_steps = false;  // skip an optimizer step whose loss or gradient is NaN/Inf

  // OVTrainingArguments
  double distillation_weight = 0.5;
  double distillation_temperature = 2.0;

  // Rejects values HF would reject (and a few it silently accepts); messages name the flag.
  void validate() const;
  int64_t eval_interval() const { return eval_steps > 0 ? eval_steps : logging_steps; }
  Json to_json() const;
  // What data-parallel ranks must agree on: every field that changes the arithmetic or the sequence of
  // collectives (logging, evaluation and saving steps synchronise the ranks, so they stay). Left out, as
  // they may differ per rank: where it writes (only rank 0 writes, nodes may have their own disks) and
  // whether it may overwrite, how many checkpoints rank 0 keeps, its thread count, which of its host's GPUs
  // it uses (cuda:N counts as cuda), how long it waits for the others and whether it draws a progress bar.
  Json agreement_json() const;
  static TrainingArguments from_json(const Json& j);
};

}  // namespace jpqd::training
