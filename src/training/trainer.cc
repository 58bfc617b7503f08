// Construction of a Trainer and the outline of train(). The loop itself is in trainer_loop.cc; losses,
// evaluation, logging, checkpoints and range initialisation have their own trainer_*.cc files.
#include "training/trainer.h"

#include <filesystem>
#include <thread>

#include "common/checksum.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "compression/build_controller.h"
#include "training/checkpoint.h"
#include "training/device.h"
#include "training/distributed/data_parallel.h"
#include "training/interrupt.h"
#include "training/mixed_precision.h"
#include "training/optimizer.h"
#include "training/trainer_internal.h"

namespace jpqd::training {

namespace fs = std::filesystem;

namespace {

uint64_t text_fingerprint(const std::string& text) { return fnv1a64(text.data(), text.size()); }

}  // namespace

Trainer::Trainer(model::Bert model, TrainingArguments args, std::shared_ptr<const TokenizedDataset> train_dataset,
                 std::shared_ptr<const TokenizedDataset> eval_dataset, ComputeMetrics compute_metrics,
                 std::optional<text::Tokenizer> tokenizer,
                 std::optional<compression::CompressionConfig> compression_config, model::Bert teacher)
    : model_(std::move(model)),
      teacher_(std::move(teacher)),
      args_(std::move(args)),
      train_dataset_(std::move(train_dataset)),
      eval_dataset_(std::move(eval_dataset)),
      compute_metrics_(std::move(compute_metrics)),
      tokenizer_(std::move(tokenizer)),
      compression_config_(std::move(compression_config)) {
  args_.validate();
  const DistributedEnv env = DistributedEnv::from_environment();
  // HF's log_level_replica: replicas report warnings and errors only.
  if (!env.is_main_process() && log_level() < LogLevel::kWarning) set_log_level(LogLevel::kWarning);
  // By default the processes of one machine share its cores.
  const auto threads = args_.threads > 0 ? args_.threads
                                         : static_cast<int64_t>(std::thread::hardware_concurrency()) /
                                               env.local_world_size;
  torch::set_num_threads(static_cast<int>(std::max<int64_t>(1, threads)));
  device_ = resolve_device(args_.device, env);
  model_->to(device_);
  if (teacher_) teacher_->to(device_);

  if (teacher_) prepare_teacher();
  build_compression(env);
  join_data_parallel(env);
  choose_mixed_precision();
}

Trainer::~Trainer() = default;

bool Trainer::is_main_process() const { return parallel_->is_main_process(); }
int64_t Trainer::world_size() const { return parallel_->world_size(); }

void Trainer::prepare_teacher() {
  const auto& s = model_->config();
  const auto& t = teacher_->config();
  // A teacher with its own tokenizer reads the token ids the datasets carry for it; any other reads the
  // student's, which must index its embedding table.
  const bool own_ids = (train_dataset_ || eval_dataset_) &&
                       (!train_dataset_ || train_dataset_->has_teacher_inputs()) &&
                       (!eval_dataset_ || eval_dataset_->has_teacher_inputs());
  if (!own_ids) check_teacher_reads_student_ids();
  // Span logits of two tokenizations index different tokens; only per-example logits compare.
  JPQD_CHECK(!own_ids || model_->head() == model::TaskHead::kSequenceClassification, InvalidArgument,
             "a teacher with its own tokenizer can distil sequence classification only");
  JPQD_CHECK(teacher_->head() == model_->head(), InvalidArgument, "teacher and student have different task heads");
  if (model_->head() == model::TaskHead::kSequenceClassification) {
    JPQD_CHECK(t.num_labels() == s.num_labels(), InvalidArgument, "teacher has ", t.num_labels(),
               " labels, the student ", s.num_labels());
    JPQD_CHECK(s.num_labels() > 1 && s.problem_type != "multi_label_classification", InvalidArgument,
               "distillation supports single-label classification and question answering only");
  }
  teacher_->eval();
  for (auto& p : teacher_->parameters()) p.set_requires_grad(false);
}

void Trainer::build_compression(const DistributedEnv& env) {
  if (compression_config_ && !compression_config_->empty()) {
    compression::BuildContext context;
    context.output_dir = args_.output_dir;
    context.train_samples = train_dataset_ ? train_dataset_->size() : 0;
    // Unknown (0) without training data: evaluation-only trainers never run the schedule.
    context.num_train_epochs =
        context.train_samples > 0 ? detail::plan_epochs(args_, context.train_samples, env.world_size).epochs : 0;
    context.epochs_set_by_max_steps = args_.max_steps > 0;
    controller_ = compression::build_controller(*compression_config_, *model_, context);
  }
  // build_controller hands every rank the output directory; a replica writing reports there would race rank 0
  // on a shared filesystem (and litter node-local disks).
  if (controller_ && !env.is_main_process()) controller_->set_output_dir("");
}

void Trainer::join_data_parallel(const DistributedEnv& env) {
  parallel_ = std::make_unique<DataParallel>(env, std::chrono::seconds(args_.ddp_timeout));
  if (!parallel_->enabled()) return;
  // Ranks that were started differently would train different models and average nonsense.
  parallel_->check_agreement("training arguments", text_fingerprint(args_.agreement_json().dump()));
  parallel_->check_agreement("model configuration", text_fingerprint(model_->config().to_json().dump()));
  parallel_->check_agreement("compression configuration",
                             text_fingerprint(compression_config_ ? compression_config_->original.dump() : ""));
  parallel_->check_agreement("teacher configuration",
                             text_fingerprint(teacher_ ? teacher_->config().to_json().dump() : ""));
  parallel_->check_agreement("training dataset", train_dataset_ ? train_dataset_->fingerprint() : 0);
  parallel_->check_agreement("evaluation dataset", eval_dataset_ ? eval_dataset_->fingerprint() : 0);
  parallel_->broadcast_module(*model_);
  if (teacher_) parallel_->broadcast_module(*teacher_);
  log_info("data-parallel training: rank ", env.rank, " of ", env.world_size, " (", env.local_world_size,
           " on this machine), ", torch::get_num_threads(), " threads per rank");
}

void Trainer::choose_mixed_precision() {
  if (!args_.fp16 && !args_.bf16) return;
  bf16_autocast_ = cpu_has_native_bf16();
  if (bf16_autocast_)
    log_info("--fp16/--bf16: the training forward runs under bfloat16 autocast (this CPU has AVX512-BF16); "
             "evaluation stays in float32");
  else
    log_warning("--fp16/--bf16: this CPU has no native bfloat16 arithmetic, so training runs in float32");
}

TrainOutput Trainer::train() {
  JPQD_CHECK(train_dataset_ && train_dataset_->size() > 0, InvalidArgument, "the training dataset is empty");
  Loop loop;
  begin_training(loop);
  install_interrupt_handlers();
  model_->train();
  loop.progress.emplace("train", loop.plan.max_steps, "it");
  loop.progress->start_at(state_.global_step);
  loop.stop = state_.global_step >= loop.plan.max_steps;
  for (int64_t epoch = state_.epoch_index; epoch < loop.plan.epochs && !loop.stop; ++epoch) run_epoch(loop, epoch);
  return finish_training(loop);
}

void Trainer::begin_training(Loop& loop) {
  loop.start = std::chrono::steady_clock::now();
  loop.samples = train_dataset_->size();
  loop.batch_size = args_.per_device_train_batch_size;
  loop.accumulation = args_.gradient_accumulation_steps;
  loop.plan = detail::plan_epochs(args_, loop.samples, parallel_->world_size());
  const int64_t max_steps = loop.plan.max_steps;
  loop.warmup_steps = resolve_warmup_steps(args_, max_steps);

  prepare_output_directory();
  optimizer_ = make_adamw(*model_, args_);
  torch::manual_seed(static_cast<uint64_t>(args_.seed));

  const std::string resume_dir = checkpoint_to_resume();
  if (!resume_dir.empty())
    resume_from(resume_dir, loop.plan.batches_per_epoch);
  else
    initialize_compression_ranges();
  state_.max_steps = max_steps;
  state_.num_train_epochs = loop.plan.epochs;
  state_.logging_steps = args_.logging_steps;
  state_.eval_steps = args_.eval_interval();
  state_.save_steps = args_.save_steps;
  state_.train_batch_size = loop.batch_size;
  lr_step_ = state_.global_step;
  set_learning_rate(*optimizer_, args_.learning_rate * lr_lambda(args_.lr_scheduler_type, lr_step_,
                                                                 loop.warmup_steps, max_steps));

  log_info("***** Running training *****");
  log_info("  Num examples = ", loop.samples, ", Num epochs = ", loop.plan.epochs, ", batch size = ", loop.batch_size,
           " x ", parallel_->world_size(), " processes", ", gradient accumulation steps = ", loop.accumulation,
           ", total optimization steps = ", max_steps, ", threads = ", torch::get_num_threads());
}

void Trainer::prepare_output_directory() {
  // Every rank has checked the output directory (prepare_output_dir) before rank 0 writes into it.
  parallel_->barrier();
  ensure_writable_directory(args_.output_dir);
  if (is_main_process()) {
    remove_stale_checkpoint_temporaries(args_.output_dir);
    if (controller_) controller_->set_output_dir(args_.output_dir);
  }
}

TrainOutput Trainer::finish_training(Loop& loop) {
  using detail::round4;
  loop.progress->close();
  check_ranks_hold_the_same_model();
  synchronize_totals();
  const double total_tokens = parallel_->sum(state_.total_tokens);

  const double runtime = detail::seconds_since(loop.start);
  const auto n = loop.samples;
  TrainOutput output;
  output.global_step = state_.global_step;
  const int64_t trained_steps = state_.global_step - state_.skipped_steps;
  output.training_loss = trained_steps > 0 ? state_.total_loss / static_cast<double>(trained_steps) : 0.0;
  output.metrics = {{"epoch", round4(state_.epoch)},
                    {"train_loss", output.training_loss},
                    {"train_runtime", round4(runtime)},
                    {"train_samples", n},
                    {"train_samples_per_second", round4(static_cast<double>(n) * args_.num_train_epochs / runtime)},
                    {"train_steps_per_second", round4(static_cast<double>(state_.global_step) / runtime)},
                    {"train_tokens_per_second", round4(total_tokens / runtime)}};
  if (state_.skipped_steps > 0) output.metrics["train_skipped_steps"] = state_.skipped_steps;
  if (args_.max_steps > 0)
    output.metrics["train_samples_per_second"] = round4(
        static_cast<double>(state_.global_step * loop.batch_size * loop.accumulation * parallel_->world_size()) /
        runtime);
  Json summary = output.metrics;
  summary["train_runtime"] = output.metrics["train_runtime"];
  log(summary);
  // The output directory's trainer_state.json is what `jpqd export <dir>` restores the schedule from
  // (structured masking done or not), so it carries the final compression state, not a checkpoint's.
  if (controller_) state_.compression_state = controller_->state();
  if (is_main_process())
    write_file_atomically((fs::path(args_.output_dir) / "trainer_state.json").string(), state_.to_json().dump(2));
  return output;
}

}  // namespace jpqd::training
