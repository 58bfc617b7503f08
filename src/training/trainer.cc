#include "training/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <thread>

#include "common/checksum.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "common/progress_bar.h"
#include "compression/build_controller.h"
#include "compression/distillation/distillation_loss.h"
#include "model/hf_checkpoint.h"
#include "training/checkpoint.h"
#include "training/device.h"
#include "training/distributed/data_parallel.h"
#include "training/interrupt.h"
#include "training/mixed_precision.h"
#include "training/optimizer.h"

namespace jpqd::training {

namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double round4(double v) { return std::round(v * 1e4) / 1e4; }

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// How many batches, optimizer steps and epochs a run makes. The compression schedule needs the epoch
// count before training (a warm-up that ends after the last epoch would never reach structured
// masking), and --max_steps decides it as much as --num_train_epochs does.
struct EpochPlan {
  int64_t batches_per_epoch = 0;
  int64_t updates_per_epoch = 0;
  int64_t max_steps = 0;
  int64_t epochs = 0;
};

EpochPlan plan_epochs(const TrainingArguments& args, int64_t samples, int64_t world_size) {
  EpochPlan plan;
  // Each rank holds ceil(n / W) examples of every epoch (the sampler wraps around to even them out).
  plan.batches_per_epoch = ceil_div(ceil_div(samples, world_size), args.per_device_train_batch_size);
  // The last, shorter accumulation group of an epoch still makes an optimizer step.
  plan.updates_per_epoch = ceil_div(plan.batches_per_epoch, args.gradient_accumulation_steps);
  plan.max_steps = args.max_steps > 0
                       ? args.max_steps
                       : static_cast<int64_t>(std::ceil(args.num_train_epochs * plan.updates_per_epoch));
  plan.epochs = ceil_div(plan.max_steps, plan.updates_per_epoch);
  return plan;
}

// Seed of a training batch's random transform (MLM masking): a function of where the batch is in the
// run, never of how many batches were drawn before, so resumed runs mask identically. Data-parallel
// ranks hold different examples at the same batch index, so each rank masks with its own stream.
uint64_t batch_seed(int64_t seed, int64_t epoch, int64_t batch, int64_t rank = 0) {
  return static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ULL ^ static_cast<uint64_t>(epoch) * 0xBF58476D1CE4E5B9ULL ^
         static_cast<uint64_t>(batch + 1) * 0x94D049BB133111EBULL ^ static_cast<uint64_t>(rank) * 0xD6E8FEB86659FD93ULL;
}

uint64_t fingerprint(const std::string& text) { return fnv1a64(text.data(), text.size()); }

// "NaN", "Inf" or "-Inf" for error messages (printf would say "nan" or "-nan" depending on the sign bit).
std::string nonfinite_name(double v) { return std::isnan(v) ? "NaN" : v > 0 ? "Inf" : "-Inf"; }

// The L2 norm over every gradient, as clip_grad_norm_ computes it, for runs that do not clip: a NaN or
// Inf gradient must be caught whether or not --max_grad_norm is set.
double gradient_norm(const std::vector<torch::Tensor>& params) {
  if (params.empty()) return 0.0;
  std::vector<torch::Tensor> norms;
  for (const auto& p : params) norms.push_back(p.grad().norm(2));
  return torch::stack(norms).norm(2).item<double>();
}

// A checksum of every parameter and buffer (masks, quantizer ranges included), to prove that data-parallel
// ranks still hold the same model.
uint64_t model_fingerprint(model::BertImpl& model) {
  torch::NoGradGuard no_grad;
  uint64_t h = kFnv1a64Offset;
  auto add = [&h](const torch::Tensor& t) {
    const torch::Tensor c = t.to(torch::kCPU).contiguous();
    h = fnv1a64(c.data_ptr(), c.nbytes(), h);
  };
  for (const auto& item : model.named_parameters(true)) add(item.value());
  for (const auto& item : model.named_buffers(true)) add(item.value());
  return h;
}

// A checkpoint or saved model must never hold NaN/Inf: throws naming the first non-finite tensor.
void check_finite(model::BertImpl& model, int64_t step, const std::string& what) {
  torch::NoGradGuard no_grad;
  auto check = [&](const std::string& name, const torch::Tensor& t) {
    if (!t.is_floating_point()) return;
    JPQD_CHECK(torch::isfinite(t).all().item<bool>(), NumericalError, "step ", step, ": ", name,
               " holds NaN or Inf values; ", what, " was not written");
  };
  for (const auto& item : model.named_parameters(true)) check(item.key(), item.value());
  for (const auto& item : model.named_buffers(true)) check(item.key(), item.value());
}

std::vector<int64_t> slice(const std::vector<int64_t>& order, int64_t batch, int64_t batch_size) {
  const auto begin = std::min<int64_t>(batch * batch_size, static_cast<int64_t>(order.size()));
  const auto end = std::min<int64_t>(begin + batch_size, static_cast<int64_t>(order.size()));
  return std::vector<int64_t>(order.begin() + begin, order.begin() + end);
}

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

  if (teacher_) {
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

  if (compression_config_ && !compression_config_->empty()) {
    compression::BuildContext context;
    context.output_dir = args_.output_dir;
    context.train_samples = train_dataset_ ? train_dataset_->size() : 0;
    // Unknown (0) without training data: evaluation-only trainers never run the schedule.
    context.num_train_epochs =
        context.train_samples > 0 ? plan_epochs(args_, context.train_samples, env.world_size).epochs : 0;
    context.epochs_set_by_max_steps = args_.max_steps > 0;
    controller_ = compression::build_controller(*compression_config_, *model_, context);
  }

  // build_controller hands every rank the output directory; a replica writing reports there would race rank 0
  // on a shared filesystem (and litter node-local disks).
  if (controller_ && !env.is_main_process()) controller_->set_output_dir("");
  parallel_ = std::make_unique<DataParallel>(env, std::chrono::seconds(args_.ddp_timeout));
  if (parallel_->enabled()) {
    // Ranks that were started differently would train different models and average nonsense.
    parallel_->check_agreement("training arguments", fingerprint(args_.agreement_json().dump()));
    parallel_->check_agreement("model configuration", fingerprint(model_->config().to_json().dump()));
    parallel_->check_agreement("compression configuration",
                               fingerprint(compression_config_ ? compression_config_->original.dump() : ""));
    parallel_->check_agreement("teacher configuration",
                               fingerprint(teacher_ ? teacher_->config().to_json().dump() : ""));
    parallel_->check_agreement("training dataset", train_dataset_ ? train_dataset_->fingerprint() : 0);
    parallel_->check_agreement("evaluation dataset", eval_dataset_ ? eval_dataset_->fingerprint() : 0);
    parallel_->broadcast_module(*model_);
    if (teacher_) parallel_->broadcast_module(*teacher_);
    log_info("data-parallel training: rank ", env.rank, " of ", env.world_size, " (", env.local_world_size,
             " on this machine), ", torch::get_num_threads(), " threads per rank");
  }

  if (args_.fp16 || args_.bf16) {
    bf16_autocast_ = cpu_has_native_bf16();
    if (bf16_autocast_)
      log_info("--fp16/--bf16: the training forward runs under bfloat16 autocast (this CPU has AVX512-BF16); "
               "evaluation stays in float32");
    else
      log_warning("--fp16/--bf16: this CPU has no native bfloat16 arithmetic, so training runs in float32");
  }
}

Trainer::~Trainer() = default;

bool Trainer::is_main_process() const { return parallel_->is_main_process(); }
int64_t Trainer::world_size() const { return parallel_->world_size(); }

namespace {

// Losses are computed in float32 whatever precision the forward ran in, as HF's autocast training does.
model::BertOutputs in_float32(model::BertOutputs out) {
  for (torch::Tensor* t : {&out.logits, &out.start_logits, &out.end_logits})
    if (t->defined() && t->scalar_type() != torch::kFloat) *t = t->to(torch::kFloat);
  return out;
}

}  // namespace

torch::Tensor Trainer::compute_loss(const Batch& batch, Json* parts) {
  AutocastBf16Scope autocast(bf16_autocast_ && model_->is_training());
  return loss_from_outputs(batch, in_float32(model_->forward(batch.inputs)), parts);
}

torch::Tensor Trainer::loss_from_outputs(const Batch& batch, const model::BertOutputs& out, Json* parts) {
  torch::Tensor task = model_->loss(out, batch.labels);
  torch::Tensor loss = task;
  if (parts) (*parts)["task_loss"] = task.item<double>();
  if (teacher_) {
    model::BertOutputs t;
    {
      torch::NoGradGuard no_grad;
      if (!batch.teacher_inputs) check_teacher_reads_student_ids();
      t = in_float32(teacher_->forward(batch.teacher_inputs ? *batch.teacher_inputs : batch.inputs));
    }
    const double T = args_.distillation_temperature;
    torch::Tensor kd = model_->head() == model::TaskHead::kQuestionAnswering
                           ? (compression::distillation_loss(out.start_logits, t.start_logits, T) +
                              compression::distillation_loss(out.end_logits, t.end_logits, T)) / 2
                           : compression::distillation_loss(out.logits, t.logits, T);
    loss = (1 - args_.distillation_weight) * task + args_.distillation_weight * kd;
    if (parts) (*parts)["distillation_loss"] = kd.item<double>();
  }
  if (controller_) {
    torch::Tensor c = controller_->loss();
    loss = loss + c;
    if (parts) (*parts)["compression_loss"] = c.item<double>();
  }
  return loss;
}

void Trainer::check_teacher_reads_student_ids() const {
  const int64_t t = teacher_->config().vocab_size, s = model_->config().vocab_size;
  JPQD_CHECK(t == s, InvalidArgument, "teacher vocabulary size ", t, " differs from the student's ", s,
             ", and the data carries no token ids of the teacher's own tokenizer");
}

void Trainer::initialize_compression_ranges() {
  const int64_t wanted = controller_ ? controller_->init_samples_needed() : 0;
  if (wanted <= 0) return;
  const int64_t n = train_dataset_->size();
  JPQD_CHECK(wanted <= n, InvalidArgument, "quantization: num_init_samples ", wanted, " exceeds the ", n,
             " training samples");
  const int64_t bs = args_.per_device_train_batch_size;
  // NNCF draws its initialisation batches from the (shuffled) training loader: the first batches of epoch 0.
  // Each rank runs its share of every such batch; the controller combines what the ranks saw.
  const auto order = parallel_->epoch_indices(n, args_.seed, 0);
  const int64_t batches = ceil_div(wanted, bs * parallel_->world_size());
  log_info("Initialising quantizer ranges on ", wanted, " training samples");
  torch::NoGradGuard no_grad;
  model_->eval();
  controller_->begin_initialization();
  for (int64_t b = 0; b < batches; ++b) {
    const Batch batch = train_dataset_->batch(slice(order, b, bs), batch_seed(args_.seed, 0, b, parallel_->rank()));
    model_->forward(to_device(batch, device_).inputs);
  }
  controller_->end_initialization(parallel_->collectives());
  model_->train();
}

void Trainer::log(Json entry) {
  entry["epoch"] = round4(state_.epoch);
  entry["step"] = state_.global_step;
  state_.log_history.push_back(entry);
  // Tables (per-layer statistics) stay in log_history; a console line of them would be unreadable.
  Json scalars = Json::object();
  for (const auto& item : entry.items())
    if (!item.value().is_structured()) scalars[item.key()] = item.value();
  log_info(scalars.dump());
}

std::string Trainer::write_checkpoint() {
  const std::string dir = (fs::path(args_.output_dir) / ("checkpoint-" + std::to_string(state_.global_step))).string();
  check_finite(*model_, state_.global_step, "checkpoint " + dir);
  check_ranks_hold_the_same_model();
  synchronize_totals();
  // The other ranks wait until the checkpoint is complete: one that stopped now (an interrupt) must not
  // have its launcher tear down rank 0 in the middle of writing.
  if (is_main_process()) write_checkpoint_files(dir);
  parallel_->barrier();
  return dir;
}

void Trainer::check_ranks_hold_the_same_model() {
  // Averaged gradients and shared decisions keep the ranks bit-identical; checkpoints and the end of
  // training are where that is proved.
  if (parallel_->enabled())
    parallel_->check_agreement(str_cat("the model at step ", state_.global_step, " (the ranks diverged)"),
                               model_fingerprint(*model_));
}

void Trainer::synchronize_totals() {
  if (!parallel_->enabled()) return;
  // Means are linear, so a rank that continues from the mean and adds its own losses still averages to
  // the right figure; token counts are summed into rank 0, the one whose trainer state is written.
  const auto means = parallel_->mean({state_.loss_since_log, state_.total_loss});
  state_.loss_since_log = means[0];
  state_.total_loss = means[1];
  const double tokens = parallel_->sum(state_.total_tokens);
  state_.total_tokens = is_main_process() ? tokens : 0.0;
}

void Trainer::write_checkpoint_files(const std::string& dir) {
  // Already saved at this step (by the step and the epoch rule, or by the killed run this one resumes):
  // kept only if it verifies, so a corrupt one left by a kill is replaced rather than trusted.
  if (fs::exists(dir)) {
    try {
      verify_checkpoint(dir);
      return;
    } catch (const Error& e) {
      log_warning("replacing checkpoint ", dir, ": ", e.what());
    }
  }
  if (controller_) state_.compression_state = controller_->state();
  CheckpointContents contents;
  contents.model = model_.get();
  contents.optimizer = optimizer_.get();
  contents.tokenizer = tokenizer_ ? &*tokenizer_ : nullptr;
  contents.trainer_state = state_.to_json();
  contents.training_args = args_.to_json();
  contents.compression_config = compression_config_ ? compression_config_->original : Json();
  save_checkpoint(dir, contents);
  rotate_checkpoints(args_.output_dir, args_.save_total_limit);
}

void Trainer::maybe_save_checkpoint(bool epoch_end) {
  const bool due = epoch_end ? args_.save_strategy == IntervalStrategy::kEpoch
                             : args_.save_strategy == IntervalStrategy::kSteps &&
                                   state_.global_step % args_.save_steps == 0;
  if (due) write_checkpoint();
}

TrainOutput Trainer::train() {
  JPQD_CHECK(train_dataset_ && train_dataset_->size() > 0, InvalidArgument, "the training dataset is empty");
  const auto start = std::chrono::steady_clock::now();
  const int64_t n = train_dataset_->size();
  const int64_t bs = args_.per_device_train_batch_size;
  const int64_t accum = args_.gradient_accumulation_steps;
  const EpochPlan plan = plan_epochs(args_, n, parallel_->world_size());
  const int64_t batches_per_epoch = plan.batches_per_epoch;
  const int64_t max_steps = plan.max_steps;
  const int64_t epochs = plan.epochs;
  const int64_t warmup = resolve_warmup_steps(args_, max_steps);

  // Every rank has checked the output directory (prepare_output_dir) before rank 0 writes into it.
  parallel_->barrier();
  ensure_writable_directory(args_.output_dir);
  if (is_main_process()) {
    remove_stale_checkpoint_temporaries(args_.output_dir);
    if (controller_) controller_->set_output_dir(args_.output_dir);
  }
  optimizer_ = make_adamw(*model_, args_);
  torch::manual_seed(static_cast<uint64_t>(args_.seed));

  std::string resume_dir = args_.resume_from_checkpoint;
  if (resume_dir == "last") {
    auto newest = newest_valid_checkpoint(args_.output_dir);
    JPQD_CHECK(newest.has_value(), InvalidArgument, "--resume_from_checkpoint last: no valid checkpoint in ",
               args_.output_dir);
    resume_dir = *newest;
  }
  if (!resume_dir.empty()) {
    verify_checkpoint(resume_dir);
    log_info("Resuming from ", resume_dir);
    std::string weights_source;
    model::load_state(*model_, model::read_checkpoint_tensors(resume_dir, &weights_source), weights_source);
    load_compression_state(resume_dir, *model_);
    load_optimizer_state(resume_dir, *optimizer_);
    load_rng_state((fs::path(resume_dir) / "rng_state.pt").string());
    state_ = TrainerState::from_json(read_json_file((fs::path(resume_dir) / "trainer_state.json").string()),
                                     resume_dir + "/trainer_state.json");
    if (controller_) controller_->load_state(state_.compression_state);
    // The checkpoint's token count is the whole job's; rank 0 carries it (see synchronize_totals).
    if (!is_main_process()) state_.total_tokens = 0.0;
    parallel_->check_agreement("the checkpoint resumed from (its step)", static_cast<uint64_t>(state_.global_step));
    JPQD_CHECK(state_.batches_in_epoch <= batches_per_epoch, InvalidArgument, "--resume_from_checkpoint ", resume_dir,
               ": it stopped after batch ", state_.batches_in_epoch, " of an epoch, but this run has ",
               batches_per_epoch, " batches per epoch (a different batch size or number of processes?)");
    if (state_.batches_in_epoch >= batches_per_epoch) {
      ++state_.epoch_index;
      state_.batches_in_epoch = 0;
    }
  } else {
    initialize_compression_ranges();
  }
  state_.max_steps = max_steps;
  state_.num_train_epochs = epochs;
  state_.logging_steps = args_.logging_steps;
  state_.eval_steps = args_.eval_interval();
  state_.save_steps = args_.save_steps;
  state_.train_batch_size = bs;
  lr_step_ = state_.global_step;
  set_learning_rate(*optimizer_, args_.learning_rate * lr_lambda(args_.lr_scheduler_type, lr_step_, warmup, max_steps));

  log_info("***** Running training *****");
  log_info("  Num examples = ", n, ", Num epochs = ", epochs, ", batch size = ", bs, " x ", parallel_->world_size(),
           " processes",
           ", gradient accumulation steps = ", accum, ", total optimization steps = ", max_steps,
           ", threads = ", torch::get_num_threads());

  install_interrupt_handlers();
  model_->train();
  ProgressBar progress("train", max_steps, "it");
  progress.start_at(state_.global_step);
  Json last_parts = Json::object();
  bool stop = state_.global_step >= max_steps;

  for (int64_t epoch = state_.epoch_index; epoch < epochs && !stop; ++epoch) {
    state_.epoch_index = epoch;
    if (state_.batches_in_epoch == 0 && controller_) controller_->epoch_step();
    const auto order = parallel_->epoch_indices(n, args_.seed, epoch);
    double group_loss = 0.0;
    bool group_nonfinite = false;  // a skipped micro-batch poisons its whole optimizer step
    std::string nonfinite_error;
    for (int64_t b = state_.batches_in_epoch; b < batches_per_epoch; ++b) {
      const int64_t group_begin = b - b % accum;
      const int64_t group_size = std::min(accum, batches_per_epoch - group_begin);
      if (b % accum == 0 && controller_) controller_->step();

      const Batch batch = to_device(
          train_dataset_->batch(slice(order, b, bs), batch_seed(args_.seed, epoch, b, parallel_->rank())), device_);
      state_.total_tokens += static_cast<double>(batch.inputs.attention_mask.sum().item<int64_t>());
      torch::Tensor loss = compute_loss(batch, &last_parts);
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        // Decided at the optimizer step, together with the other ranks.
        if (!group_nonfinite)
          nonfinite_error = str_cat("step ", state_.global_step + 1, " (epoch ", epoch, ", batch ", b, "): loss is ",
                                    nonfinite_name(loss_value), "; no checkpoint was written for it");
        if (args_.skip_nonfinite_steps)
          log_warning("step ", state_.global_step + 1, ": loss is ", nonfinite_name(loss_value), ", skipping the step");
        group_nonfinite = true;
      } else if (!group_nonfinite) {
        (loss / static_cast<double>(group_size)).backward();
        group_loss += loss_value / static_cast<double>(group_size);
      }
      state_.batches_in_epoch = b + 1;
      if (b + 1 != group_begin + group_size) continue;

      // Optimizer step at the accumulation boundary. Every rank skips it if any rank's loss was not finite.
      double grad_norm = std::numeric_limits<double>::quiet_NaN();  // stays NaN for a skipped step
      if (parallel_->any(group_nonfinite)) {
        if (!args_.skip_nonfinite_steps)
          throw NumericalError(!nonfinite_error.empty()
                                   ? nonfinite_error
                                   : str_cat("step ", state_.global_step + 1, ": another rank's loss is not finite; ",
                                             "no checkpoint was written for it"));
        group_nonfinite = true;
      } else {
        std::vector<torch::Tensor> params;
        for (auto& p : model_->parameters())
          if (p.grad().defined()) params.push_back(p);
        // Clipping sees the averaged gradient, so every rank clips by the same norm.
        parallel_->average_gradients(params);
        grad_norm = args_.max_grad_norm > 0 ? torch::nn::utils::clip_grad_norm_(params, args_.max_grad_norm)
                                            : gradient_norm(params);
        if (!std::isfinite(grad_norm)) {
          JPQD_CHECK(args_.skip_nonfinite_steps, NumericalError, "step ", state_.global_step + 1,
                     ": gradient norm is ", nonfinite_name(grad_norm), "; no checkpoint was written for it");
          log_warning("step ", state_.global_step + 1, ": gradient norm is ", nonfinite_name(grad_norm),
                      ", skipping the step");
          group_nonfinite = true;
        }
      }
      // A skipped step must not move the weights at all: AdamW would still apply its momentum and weight
      // decay to zeroed gradients, so step() is not called.
      if (group_nonfinite) {
        ++state_.skipped_steps;
      } else {
        optimizer_->step();
        state_.loss_since_log += group_loss;
        state_.total_loss += group_loss;
        ++state_.steps_since_log;
      }
      optimizer_->zero_grad();
      ++lr_step_;
      set_learning_rate(*optimizer_,
                        args_.learning_rate * lr_lambda(args_.lr_scheduler_type, lr_step_, warmup, max_steps));
      ++state_.global_step;
      state_.epoch = static_cast<double>(epoch) + static_cast<double>(b + 1) / static_cast<double>(batches_per_epoch);
      group_loss = 0.0;
      group_nonfinite = false;
      nonfinite_error.clear();
      const double mean_loss =
          state_.steps_since_log > 0 ? state_.loss_since_log / static_cast<double>(state_.steps_since_log) : 0.0;
      progress.set_postfix(str_cat("loss=", round4(mean_loss)));
      progress.update();

      if (state_.global_step % args_.logging_steps == 0 || (args_.logging_first_step && state_.global_step == 1)) {
        // Logged losses are means over ranks (HF gathers them too): the loss of the whole global batch.
        std::vector<double> values{mean_loss};
        for (const auto& item : last_parts.items()) values.push_back(item.value().get<double>());
        values = parallel_->mean(values);
        Json entry = {{"learning_rate", get_learning_rate(*optimizer_)}};
        if (state_.steps_since_log > 0) entry["loss"] = round4(values[0]);  // none when every step was skipped
        // HF's grad_norm: this step's, before clipping, unrounded. It is the figure that shows whether the
        // ranks' gradients were averaged or summed (Adam's update hides a constant factor).
        if (std::isfinite(grad_norm)) entry["grad_norm"] = grad_norm;
        size_t next = 1;
        for (const auto& item : last_parts.items()) entry[item.key()] = round4(values[next++]);
        if (controller_) entry.update(controller_->statistics());
        log(entry);
        state_.loss_since_log = 0.0;
        state_.steps_since_log = 0;
      }
      if (args_.evaluation_strategy == IntervalStrategy::kSteps && state_.global_step % args_.eval_interval() == 0 &&
          eval_dataset_)
        evaluate();
      maybe_save_checkpoint(/*epoch_end=*/false);
      // A signal may reach one rank only; all of them stop at the same step.
      if (parallel_->any(interrupt_requested())) {
        const std::string dir = write_checkpoint();
        const std::string cause = interrupt_requested() ? str_cat("signal ", interrupt_signal())
                                                        : std::string("a signal to another rank");
        throw Error(str_cat("interrupted by ", cause, " at step ", state_.global_step, "; checkpoint saved in ", dir,
                            " (resume with --resume_from_checkpoint ", dir, ")"),
                    ExitCode::kInterrupted);
      }
      if (state_.global_step >= max_steps) {
        stop = true;
        break;
      }
    }
    if (state_.batches_in_epoch >= batches_per_epoch || stop) {
      if (controller_) log(controller_->epoch_statistics());
      if (args_.evaluation_strategy == IntervalStrategy::kEpoch && eval_dataset_) evaluate();
      maybe_save_checkpoint(/*epoch_end=*/true);
    }
    if (!stop) {
      state_.epoch_index = epoch + 1;
      state_.batches_in_epoch = 0;
    }
  }
  progress.close();
  check_ranks_hold_the_same_model();
  synchronize_totals();
  const double total_tokens = parallel_->sum(state_.total_tokens);

  const double runtime = seconds_since(start);
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
    output.metrics["train_samples_per_second"] =
        round4(static_cast<double>(state_.global_step * bs * accum * parallel_->world_size()) / runtime);
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

EvalPrediction Trainer::run_evaluation(const TokenizedDataset& dataset, bool keep_predictions, double* loss_sum) {
  torch::NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  std::vector<torch::Tensor> logits, starts, ends, labels;
  const int64_t bs = args_.per_device_eval_batch_size;
  const EvalShard shard = parallel_->eval_shard(dataset.size());
  const bool sharded = shard.end - shard.begin < dataset.size();
  const int64_t batches = ceil_div(shard.end - shard.begin, bs);
  ProgressBar progress("eval", batches, "batches");
  for (int64_t b = 0; b < batches; ++b) {
    const int64_t begin = shard.begin + b * bs;
    const Batch batch = to_device(dataset.batch(sequential_indices(begin, std::min(shard.end, begin + bs)),
                                                batch_seed(args_.seed, -1, b, parallel_->rank())),
                                  device_);
    model::BertOutputs out = model_->forward(batch.inputs);
    if (loss_sum && dataset.target() != TargetKind::kNone)
      *loss_sum += loss_from_outputs(batch, out, nullptr).item<double>() * static_cast<double>(batch.size);
    if (keep_predictions) {
      if (out.logits.defined()) logits.push_back(out.logits);
      if (out.start_logits.defined()) {
        starts.push_back(out.start_logits);
        ends.push_back(out.end_logits);
      }
      if (batch.labels.labels.defined()) labels.push_back(batch.labels.labels);
    }
    progress.update();
  }
  progress.close();
  if (was_training) model_->train();
  if (loss_sum && sharded) *loss_sum = parallel_->sum(*loss_sum);
  // Predictions come back to the CPU, whole: every rank's shard in rank order.
  auto gathered = [&](std::vector<torch::Tensor>& parts) {
    torch::Tensor all = parts.empty() ? torch::Tensor() : torch::cat(parts).cpu();
    return sharded && all.defined() ? parallel_->gather_rows(all) : all;
  };
  // Batches padded dynamically (and shards) have different lengths: span logits are padded with a large
  // negative value to the widest.
  auto gathered_padded = [&](std::vector<torch::Tensor>& parts) {
    int64_t width = 0;
    for (auto& t : parts) width = std::max(width, t.size(1));
    if (sharded) width = parallel_->max(width);
    for (auto& t : parts)
      if (t.size(1) < width) t = torch::constant_pad_nd(t, {0, width - t.size(1)}, -1e4);
    return gathered(parts);
  };
  EvalPrediction p;
  p.logits = gathered(logits);
  if (!starts.empty()) {
    p.start_logits = gathered_padded(starts);
    p.end_logits = gathered_padded(ends);
  }
  p.labels = gathered(labels);
  return p;
}

EvalPrediction Trainer::predict(const TokenizedDataset& dataset) { return run_evaluation(dataset, true, nullptr); }

Json Trainer::evaluate(const TokenizedDataset* dataset, const std::string& prefix) {
  const TokenizedDataset* data = dataset ? dataset : eval_dataset_.get();
  JPQD_CHECK(data && data->size() > 0, InvalidArgument, "the evaluation dataset is empty");
  const auto start = std::chrono::steady_clock::now();
  double loss_sum = 0.0;
  EvalPrediction prediction = run_evaluation(*data, static_cast<bool>(compute_metrics_), &loss_sum);
  const double runtime = seconds_since(start);
  Json metrics = Json::object();
  if (data->target() != TargetKind::kNone) metrics[prefix + "_loss"] = loss_sum / static_cast<double>(data->size());
  if (compute_metrics_) {
    const Json task_metrics = compute_metrics_(prediction);  // items() of a temporary would dangle
    for (const auto& item : task_metrics.items()) metrics[prefix + "_" + item.key()] = item.value();
  }
  metrics[prefix + "_runtime"] = round4(runtime);
  metrics[prefix + "_samples"] = data->size();
  metrics[prefix + "_samples_per_second"] = round4(static_cast<double>(data->size()) / runtime);
  log(metrics);
  return metrics;
}

void Trainer::save_model(const std::string& dir) {
  const std::string target = dir.empty() ? args_.output_dir : dir;
  CheckpointContents contents;
  contents.model = model_.get();
  contents.tokenizer = tokenizer_ ? &*tokenizer_ : nullptr;
  contents.training_args = args_.to_json();
  contents.compression_config = compression_config_ ? compression_config_->original : Json();
  if (controller_) state_.compression_state = controller_->state();
  contents.trainer_state = state_.to_json();
  check_finite(*model_, state_.global_step, "the model in " + target);
  if (is_main_process()) {
    save_model_files(target, contents);
    if (export_hook_) export_hook_(target);
  }
  parallel_->barrier();
}

void Trainer::save_metrics(const std::string& split, const Json& metrics) {
  if (!is_main_process()) return;
  const fs::path dir(args_.output_dir);
  write_file_atomically((dir / (split + "_results.json")).string(), metrics.dump(4));
  Json all = Json::object();
  const auto all_path = (dir / "all_results.json").string();
  if (file_exists(all_path)) all = read_json_file(all_path);
  all.update(metrics);
  write_file_atomically(all_path, all.dump(4));
}

}  // namespace jpqd::training
