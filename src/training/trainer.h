// The training loop: Hugging Face Trainer semantics, with Optimum Intel's OVTrainer additions
// (compression controller, distillation from a teacher) in the order of docs/algorithms.md section 0:
//   range init before the first step; controller.epoch_step() at each epoch start;
//   controller.step() at the start of each optimizer step; loss = (1-w)·task + w·KD + compression.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "compression/api/controller.h"
#include "compression/config/compression_config.h"
#include "model/bert.h"
#include "text/tokenizer.h"
#include "training/dataset.h"
#include "training/training_arguments.h"
#include "training/trainer_state.h"

namespace jpqd::training {

// What evaluation produced, for task metrics: classification logits [N, C] (or [N] for regression),
// or QA start/end logits [N, S]; labels as the dataset holds them.
struct EvalPrediction {
  torch::Tensor logits;
  torch::Tensor start_logits;
  torch::Tensor end_logits;
  torch::Tensor labels;
};

class DataParallel;
struct DistributedEnv;

// Returns metric name -> value (e.g. {"accuracy": 0.91}); the trainer prefixes them ("eval_accuracy").
using ComputeMetrics = std::function<Json(const EvalPrediction&)>;

struct TrainOutput {
  int64_t global_step = 0;
  double training_loss = 0.0;
  Json metrics;  // train_runtime, train_samples_per_second, ...
};

class Trainer {
 public:
  Trainer(model::Bert model, TrainingArguments args, std::shared_ptr<const TokenizedDataset> train_dataset,
          std::shared_ptr<const TokenizedDataset> eval_dataset, ComputeMetrics compute_metrics,
          std::optional<text::Tokenizer> tokenizer,
          std::optional<compression::CompressionConfig> compression_config = std::nullopt,
          model::Bert teacher = nullptr);
  ~Trainer();

  TrainOutput train();
  // Metrics on eval_dataset (or `dataset`), prefixed "<prefix>_"; logged to log_history.
  Json evaluate(const TokenizedDataset* dataset = nullptr, const std::string& prefix = "eval");
  EvalPrediction predict(const TokenizedDataset& dataset);
  // HF files (config.json, model.safetensors, tokenizer), compression state and config, then the
  // export hook (physically pruned INT8 model) when one is set.
  void save_model(const std::string& dir = "");

  // Called by save_model() after the checkpoint files are written (the export stage sets it).
  void set_export_hook(std::function<void(const std::string& dir)> hook) { export_hook_ = std::move(hook); }

  model::Bert& model() { return model_; }
  // Null when the Trainer was built without one.
  const text::Tokenizer* tokenizer() const { return tokenizer_ ? &*tokenizer_ : nullptr; }
  compression::CompositeController* controller() { return controller_.get(); }
  const TrainerState& state() const { return state_; }
  const TrainingArguments& args() const { return args_; }
  // True when --fp16/--bf16 asked for mixed precision and this CPU has native bfloat16: the training
  // forward then runs under bfloat16 autocast (evaluation stays float32, like the deployed model).
  bool bf16_autocast() const { return bf16_autocast_; }
  // Data-parallel training (RANK/WORLD_SIZE/... in the environment, see `jpqd launch`): every rank runs
  // the same Trainer calls; only the main process (rank 0) writes files and logs at info level.
  bool is_main_process() const;
  int64_t world_size() const;

  // Writes {train,eval,all}_results.json ("all" merges every split saved so far).
  void save_metrics(const std::string& split, const Json& metrics);

 private:
  struct Loop;  // the state of one train() call, defined in trainer_internal.h

  // Construction, in this order (trainer.cc).
  void prepare_teacher();
  void build_compression(const DistributedEnv& env);
  void join_data_parallel(const DistributedEnv& env);
  void choose_mixed_precision();

  // train() runs begin_training, then run_epoch for every epoch left, then finish_training.
  void begin_training(Loop& loop);
  void prepare_output_directory();
  TrainOutput finish_training(Loop& loop);

  // The epoch and step loop (trainer_loop.cc).
  void run_epoch(Loop& loop, int64_t epoch);
  // Forward and backward of one micro-batch, its loss added to the accumulation group in progress.
  void train_micro_batch(Loop& loop, const std::vector<int64_t>& order, int64_t epoch, int64_t batch,
                         int64_t group_size);
  // At an accumulation boundary: the gradients averaged over ranks and clipped; NaN when the step is skipped.
  double synchronized_gradient_norm(Loop& loop);
  void optimizer_step(Loop& loop, int64_t epoch, int64_t batch);
  // Logging, evaluation, checkpoints and interrupts due after an optimizer step.
  void after_optimizer_step(Loop& loop, double grad_norm);
  void stop_if_interrupted();
  void end_epoch();

  // Range initialisation of the compression algorithms before the first step (trainer_compression.cc).
  void initialize_compression_ranges();

  // Losses (trainer_loss.cc).
  torch::Tensor compute_loss(const Batch& batch, Json* parts);
  torch::Tensor loss_from_outputs(const Batch& batch, const model::BertOutputs& outputs, Json* parts);
  // InvalidArgument unless the teacher's embedding table covers the student's token ids.
  void check_teacher_reads_student_ids() const;

  // Evaluation (trainer_evaluation.cc). One pass over this rank's shard of `dataset` in eval mode, gathered
  // from every rank; sums loss·batch size over the whole dataset into *loss_sum when given.
  EvalPrediction run_evaluation(const TokenizedDataset& dataset, bool keep_predictions, double* loss_sum);

  // Logging (trainer_logging.cc).
  void log(Json entry);
  void log_training_step(const Loop& loop, double mean_loss, double grad_norm);

  // Checkpoints and resuming (trainer_checkpoint.cc).
  // --resume_from_checkpoint resolved ("last" = the newest valid checkpoint); empty for a fresh run.
  std::string checkpoint_to_resume() const;
  void resume_from(const std::string& dir, int64_t batches_per_epoch);
  void maybe_save_checkpoint(bool epoch_end);
  std::string write_checkpoint();  // every rank calls it, rank 0 writes; returns the directory
  void write_checkpoint_files(const std::string& dir);
  void check_ranks_hold_the_same_model();
  // Makes the loss and token totals whole-job figures before they are written or reported.
  void synchronize_totals();

  model::Bert model_;
  model::Bert teacher_;
  TrainingArguments args_;
  std::shared_ptr<const TokenizedDataset> train_dataset_;
  std::shared_ptr<const TokenizedDataset> eval_dataset_;
  ComputeMetrics compute_metrics_;
  std::optional<text::Tokenizer> tokenizer_;
  std::optional<compression::CompressionConfig> compression_config_;
  std::unique_ptr<compression::CompositeController> controller_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  std::function<void(const std::string&)> export_hook_;
  std::unique_ptr<DataParallel> parallel_;
  torch::Device device_{torch::kCPU};
  TrainerState state_;
  int64_t lr_step_ = 0;
  bool bf16_autocast_ = false;
};

}  // namespace jpqd::training
