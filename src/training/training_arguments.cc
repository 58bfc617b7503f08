#include "training/training_arguments.h"

#include "common/error.h"

namespace jpqd::training {

IntervalStrategy parse_interval_strategy(const std::string& value, const std::string& flag) {
  if (value == "no") return IntervalStrategy::kNo;
  if (value == "steps") return IntervalStrategy::kSteps;
  if (value == "epoch") return IntervalStrategy::kEpoch;
  throw InvalidArgument(str_cat(flag, ": \"", value, "\" is not one of no, steps, epoch"));
}

std::string to_string(IntervalStrategy strategy) {
  switch (strategy) {
    case IntervalStrategy::kNo: return "no";
    case IntervalStrategy::kSteps: return "steps";
    case IntervalStrategy::kEpoch: return "epoch";
  }
  return "?";
}

void TrainingArguments::validate() const {
  JPQD_CHECK(!output_dir.empty(), InvalidArgument, "--output_dir is required");
  JPQD_CHECK(per_device_train_batch_size > 0, InvalidArgument, "--per_device_train_batch_size must be positive, got ",
             per_device_train_batch_size);
  JPQD_CHECK(per_device_eval_batch_size > 0, InvalidArgument, "--per_device_eval_batch_size must be positive, got ",
             per_device_eval_batch_size);
  JPQD_CHECK(gradient_accumulation_steps > 0, InvalidArgument, "--gradient_accumulation_steps must be positive, got ",
             gradient_accumulation_steps);
  JPQD_CHECK(learning_rate >= 0, InvalidArgument, "--learning_rate must not be negative, got ", learning_rate);
  JPQD_CHECK(weight_decay >= 0, InvalidArgument, "--weight_decay must not be negative, got ", weight_decay);
  JPQD_CHECK(max_grad_norm >= 0, InvalidArgument, "--max_grad_norm must not be negative, got ", max_grad_norm);
  JPQD_CHECK(num_train_epochs > 0 || max_steps > 0, InvalidArgument,
             "--num_train_epochs must be positive (or give --max_steps), got ", num_train_epochs);
  JPQD_CHECK(warmup_ratio >= 0 && warmup_ratio <= 1, InvalidArgument, "--warmup_ratio must be in [0, 1], got ",
             warmup_ratio);
  JPQD_CHECK(warmup_steps >= 0, InvalidArgument, "--warmup_steps must not be negative, got ", warmup_steps);
  JPQD_CHECK(lr_scheduler_type == "linear" || lr_scheduler_type == "constant" ||
                 lr_scheduler_type == "constant_with_warmup",
             InvalidArgument, "--lr_scheduler_type: \"", lr_scheduler_type,
             "\" is not supported (linear, constant, constant_with_warmup)");
  JPQD_CHECK(optim == "adamw_torch" || optim == "adamw_hf", InvalidArgument, "--optim: \"", optim,
             "\" is not supported (adamw_torch, adamw_hf)");
  JPQD_CHECK(logging_steps > 0, InvalidArgument, "--logging_steps must be positive, got ", logging_steps);
  JPQD_CHECK(evaluation_strategy != IntervalStrategy::kSteps || eval_interval() > 0, InvalidArgument,
             "--eval_steps must be positive with --evaluation_strategy steps");
  JPQD_CHECK(save_strategy != IntervalStrategy::kSteps || save_steps > 0, InvalidArgument,
             "--save_steps must be positive with --save_strategy steps, got ", save_steps);
  JPQD_CHECK(save_total_limit >= 0, InvalidArgument, "--save_total_limit must not be negative, got ",
             save_total_limit);
  JPQD_CHECK(threads >= 0, InvalidArgument, "--threads must not be negative, got ", threads);
  JPQD_CHECK(device == "cpu" || device == "cuda" || device.rfind("cuda:", 0) == 0, InvalidArgument,
             "--device: \"", device, "\" is not cpu or cuda[:N]");
  JPQD_CHECK(ddp_timeout > 0, InvalidArgument, "--ddp_timeout must be positive (seconds), got ", ddp_timeout);
  JPQD_CHECK(distillation_weight >= 0 && distillation_weight <= 1, InvalidArgument,
             "--distillation_weight must be in [0, 1], got ", distillation_weight);
  JPQD_CHECK(distillation_temperature >= 1, InvalidArgument, "--distillation_temperature must be at least 1, got ",
             distillation_temperature);
}

NLOHMANN_JSON_SERIALIZE_ENUM(IntervalStrategy, {{IntervalStrategy::kNo, "no"},
                                               {IntervalStrategy::kSteps, "steps"},
                                               {IntervalStrategy::kEpoch, "epoch"}})

// One list of fields for both directions, so training_args.json cannot drift from the struct.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    TrainingArguments, output_dir, overwrite_output_dir, do_train, do_eval, do_predict, per_device_train_batch_size,
    per_device_eval_batch_size, gradient_accumulation_steps, learning_rate, weight_decay, adam_beta1, adam_beta2,
    adam_epsilon, max_grad_norm, num_train_epochs, max_steps, lr_scheduler_type, warmup_ratio, warmup_steps, optim,
    logging_steps, logging_first_step, evaluation_strategy, eval_steps, save_strategy, save_steps, save_total_limit,
    resume_from_checkpoint, seed, threads, fp16, bf16, device, ddp_timeout, disable_tqdm, skip_nonfinite_steps,
    distillation_weight, distillation_temperature)

Json TrainingArguments::to_json() const { return Json(*this); }

Json TrainingArguments::agreement_json() const {
  Json j = to_json();
  for (const char* per_rank :
       {"output_dir", "overwrite_output_dir", "save_total_limit", "threads", "ddp_timeout", "disable_tqdm"})
    j.erase(per_rank);
  j["device"] = device.substr(0, device.find(':'));
  return j;
}

TrainingArguments TrainingArguments::from_json(const Json& j) { return j.get<TrainingArguments>(); }

}  // namespace jpqd::training
