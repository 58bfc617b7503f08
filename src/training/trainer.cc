#include "training/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "common/progress_bar.h"
#include "compression/build_controller.h"
#include "compression/distillation/distillation_loss.h"
#include "model/hf_checkpoint.h"
#include "training/checkpoint.h"
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

// Seed of a training batch's random transform (MLM masking): a function of where the batch is in the
// run, never of how many batches were drawn before, so resumed runs mask identically.
uint64_t batch_seed(int64_t seed, int64_t epoch, int64_t batch) {
  return static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ULL ^ static_cast<uint64_t>(epoch) * 0xBF58476D1CE4E5B9ULL ^
         static_cast<uint64_t>(batch + 1) * 0x94D049BB133111EBULL;
}

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
                 std::optional<text::BertTokenizer> tokenizer,
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
  const auto threads = args_.threads > 0 ? args_.threads : static_cast<int64_t>(std::thread::hardware_concurrency());
  torch::set_num_threads(static_cast<int>(std::max<int64_t>(1, threads)));

  if (teacher_) {
    const auto& s = model_->config();
    const auto& t = teacher_->config();
    JPQD_CHECK(t.vocab_size == s.vocab_size, InvalidArgument, "teacher vocabulary size ", t.vocab_size,
               " differs from the student's ", s.vocab_size);
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
    context.num_train_epochs = args_.max_steps > 0 ? 0 : static_cast<int64_t>(std::ceil(args_.num_train_epochs));
    context.train_samples = train_dataset_ ? train_dataset_->size() : 0;
    controller_ = compression::build_controller(*compression_config_, *model_, context);
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
      t = in_float32(teacher_->forward(batch.inputs));
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

void Trainer::initialize_compression_ranges() {
  const int64_t wanted = controller_ ? controller_->init_samples_needed() : 0;
  if (wanted <= 0) return;
  const int64_t n = train_dataset_->size();
  JPQD_CHECK(wanted <= n, InvalidArgument, "quantization: num_init_samples ", wanted, " exceeds the ", n,
             " training samples");
  const int64_t bs = args_.per_device_train_batch_size;
  // NNCF draws its initialisation batches from the (shuffled) training loader: the first batches of epoch 0.
  auto order = epoch_permutation(n, args_.seed, 0);
  log_info("Initialising quantizer ranges on ", wanted, " training samples");
  torch::NoGradGuard no_grad;
  model_->eval();
  controller_->begin_initialization();
  for (int64_t b = 0; b < ceil_div(wanted, bs); ++b)
    model_->forward(train_dataset_->batch(slice(order, b, bs), batch_seed(args_.seed, 0, b)).inputs);
  controller_->end_initialization();
  model_->train();
}

void Trainer::log(Json entry) {
  entry["epoch"] = round4(state_.epoch);
  entry["step"] = state_.global_step;
  state_.log_history.push_back(entry);
  log_info(entry.dump());
}

std::string Trainer::write_checkpoint() {
  const std::string dir = (fs::path(args_.output_dir) / ("checkpoint-" + std::to_string(state_.global_step))).string();
  // Already saved at this step (by the step and the epoch rule, or by the killed run this one resumes):
  // kept only if it verifies, so a corrupt one left by a kill is replaced rather than trusted.
  if (fs::exists(dir)) {
    try {
      verify_checkpoint(dir);
      return dir;
    } catch (const Error& e) {
      log_warning("replacing checkpoint ", dir, ": ", e.what());
    }
  }
  check_finite(*model_, state_.global_step, "checkpoint " + dir);
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
  return dir;
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
  const int64_t batches_per_epoch = ceil_div(n, bs);
  // The last, shorter accumulation group of an epoch still makes an optimizer step.
  const int64_t updates_per_epoch = ceil_div(batches_per_epoch, accum);
  const int64_t max_steps = args_.max_steps > 0
                                ? args_.max_steps
                                : static_cast<int64_t>(std::ceil(args_.num_train_epochs * updates_per_epoch));
  const int64_t epochs = ceil_div(max_steps, updates_per_epoch);
  const int64_t warmup = resolve_warmup_steps(args_, max_steps);

  ensure_writable_directory(args_.output_dir);
  remove_stale_checkpoint_temporaries(args_.output_dir);
  if (controller_) controller_->set_output_dir(args_.output_dir);
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
  log_info("  Num examples = ", n, ", Num epochs = ", epochs, ", batch size = ", bs,
           ", gradient accumulation steps = ", accum, ", total optimization steps = ", max_steps,
           ", threads = ", torch::get_num_threads());

  install_interrupt_handlers();
  model_->train();
  ProgressBar progress("train", max_steps, "it");
  progress.update(state_.global_step);
  Json last_parts = Json::object();
  bool stop = state_.global_step >= max_steps;

  for (int64_t epoch = state_.epoch_index; epoch < epochs && !stop; ++epoch) {
    state_.epoch_index = epoch;
    if (state_.batches_in_epoch == 0 && controller_) controller_->epoch_step();
    const auto order = epoch_permutation(n, args_.seed, epoch);
    double group_loss = 0.0;
    bool group_nonfinite = false;  // a skipped micro-batch poisons its whole optimizer step
    for (int64_t b = state_.batches_in_epoch; b < batches_per_epoch; ++b) {
      const int64_t group_begin = b - b % accum;
      const int64_t group_size = std::min(accum, batches_per_epoch - group_begin);
      if (b % accum == 0 && controller_) controller_->step();

      Batch batch = train_dataset_->batch(slice(order, b, bs), batch_seed(args_.seed, epoch, b));
      state_.total_tokens += static_cast<double>(batch.inputs.attention_mask.sum().item<int64_t>());
      torch::Tensor loss = compute_loss(batch, &last_parts);
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        JPQD_CHECK(args_.skip_nonfinite_steps, NumericalError, "step ", state_.global_step + 1, " (epoch ", epoch,
                   ", batch ", b, "): loss is ", nonfinite_name(loss_value), "; no checkpoint was written for it");
        log_warning("step ", state_.global_step + 1, ": loss is ", nonfinite_name(loss_value), ", skipping the step");
        group_nonfinite = true;
      } else if (!group_nonfinite) {
        (loss / static_cast<double>(group_size)).backward();
        group_loss += loss_value / static_cast<double>(group_size);
      }
      state_.batches_in_epoch = b + 1;
      if (b + 1 != group_begin + group_size) continue;

      // Optimizer step at the accumulation boundary.
      std::vector<torch::Tensor> params;
      for (auto& p : model_->parameters())
        if (p.grad().defined()) params.push_back(p);
      const double grad_norm = args_.max_grad_norm > 0
                                   ? torch::nn::utils::clip_grad_norm_(params, args_.max_grad_norm)
                                   : gradient_norm(params);
      if (!std::isfinite(grad_norm)) {
        JPQD_CHECK(args_.skip_nonfinite_steps, NumericalError, "step ", state_.global_step + 1,
                   ": gradient norm is ", nonfinite_name(grad_norm), "; no checkpoint was written for it");
        log_warning("step ", state_.global_step + 1, ": gradient norm is ", nonfinite_name(grad_norm), ", skipping the step");
        group_nonfinite = true;
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
      const double mean_loss =
          state_.steps_since_log > 0 ? state_.loss_since_log / static_cast<double>(state_.steps_since_log) : 0.0;
      progress.set_postfix(str_cat("loss=", round4(mean_loss)));
      progress.update();

      if (state_.global_step % args_.logging_steps == 0 || (args_.logging_first_step && state_.global_step == 1)) {
        Json entry = {{"learning_rate", get_learning_rate(*optimizer_)}};
        if (state_.steps_since_log > 0) entry["loss"] = round4(mean_loss);  // none when every step was skipped
        for (auto& item : last_parts.items()) entry[item.key()] = round4(item.value().get<double>());
        if (controller_) entry.update(controller_->statistics());
        log(entry);
        state_.loss_since_log = 0.0;
        state_.steps_since_log = 0;
      }
      if (args_.evaluation_strategy == IntervalStrategy::kSteps && state_.global_step % args_.eval_interval() == 0 &&
          eval_dataset_)
        evaluate();
      maybe_save_checkpoint(/*epoch_end=*/false);
      if (interrupt_requested()) {
        const std::string dir = write_checkpoint();
        throw Error(str_cat("interrupted by signal ", interrupt_signal(), " at step ", state_.global_step,
                            "; checkpoint saved in ", dir, " (resume with --resume_from_checkpoint ", dir, ")"),
                    ExitCode::kInterrupted);
      }
      if (state_.global_step >= max_steps) {
        stop = true;
        break;
      }
    }
    if (state_.batches_in_epoch >= batches_per_epoch || stop) {
      if (args_.evaluation_strategy == IntervalStrategy::kEpoch && eval_dataset_) evaluate();
      maybe_save_checkpoint(/*epoch_end=*/true);
    }
    if (!stop) {
      state_.epoch_index = epoch + 1;
      state_.batches_in_epoch = 0;
    }
  }
  progress.close();

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
                    {"train_tokens_per_second", round4(state_.total_tokens / runtime)}};
  if (state_.skipped_steps > 0) output.metrics["train_skipped_steps"] = state_.skipped_steps;
  if (args_.max_steps > 0)
    output.metrics["train_samples_per_second"] = round4(static_cast<double>(state_.global_step * bs * accum) / runtime);
  Json summary = output.metrics;
  summary["train_runtime"] = output.metrics["train_runtime"];
  log(summary);
  // The output directory's trainer_state.json is what `jpqd export <dir>` restores the schedule from
  // (structured masking done or not), so it carries the final compression state, not a checkpoint's.
  if (controller_) state_.compression_state = controller_->state();
  write_file_atomically((fs::path(args_.output_dir) / "trainer_state.json").string(), state_.to_json().dump(2));
  return output;
}

EvalPrediction Trainer::run_evaluation(const TokenizedDataset& dataset, bool keep_predictions, double* loss_sum) {
  torch::NoGradGuard no_grad;
  const bool was_training = model_->is_training();
  model_->eval();
  std::vector<torch::Tensor> logits, starts, ends, labels;
  const int64_t bs = args_.per_device_eval_batch_size;
  ProgressBar progress("eval", ceil_div(dataset.size(), bs), "batches");
  for (int64_t b = 0; b < ceil_div(dataset.size(), bs); ++b) {
    Batch batch = dataset.batch(sequential_indices(b * bs, std::min(dataset.size(), (b + 1) * bs)),
                                batch_seed(args_.seed, -1, b));
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
  EvalPrediction p;
  // Batches padded dynamically have different lengths: pad span logits with a large negative value.
  auto cat_padded = [](std::vector<torch::Tensor>& parts) {
    int64_t width = 0;
    for (auto& t : parts) width = std::max(width, t.size(1));
    for (auto& t : parts)
      if (t.size(1) < width) t = torch::constant_pad_nd(t, {0, width - t.size(1)}, -1e4);
    return torch::cat(parts);
  };
  if (!logits.empty()) p.logits = torch::cat(logits);
  if (!starts.empty()) {
    p.start_logits = cat_padded(starts);
    p.end_logits = cat_padded(ends);
  }
  if (!labels.empty()) p.labels = torch::cat(labels);
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
  save_model_files(target, contents);
  if (export_hook_) export_hook_(target);
}

void Trainer::save_metrics(const std::string& split, const Json& metrics) {
  const fs::path dir(args_.output_dir);
  write_file_atomically((dir / (split + "_results.json")).string(), metrics.dump(4));
  Json all = Json::object();
  const auto all_path = (dir / "all_results.json").string();
  if (file_exists(all_path)) all = read_json_file(all_path);
  all.update(metrics);
  write_file_atomically(all_path, all.dump(4));
}

}  // namespace jpqd::training
