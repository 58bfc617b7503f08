// jpqd training: fine-tuning with joint pruning, quantization and distillation (JPQD), and export, as library
// calls. Link jpqd::training (CMake: find_package(jpqd COMPONENTS training)); LibTorch is inside that
// library, not in this header, so a consumer needs no Torch headers.
//
// The entry points mirror the `jpqd` commands and take the same flags (README, "Using it"), so a run is
// the same whether it is started from a shell, from C++ or from Python:
//
//   jpqd::GlueArguments run;                       // OVTrainer's arguments, by their Hugging Face names
//   run.model_name_or_path = "models/bert-mini-imdb";
//   run.teacher_model_name_or_path = "models/bert-mini8-imdb-sst2";
//   run.nncf_compression_config = "configs/bert-base-jpqd.json";
//   run.task_name = "sst2";
//   run.training.output_dir = "runs/jpqd";
//   run.training.do_train = run.training.do_eval = true;
//   jpqd::Metrics m = jpqd::train_glue(run);        // m["eval_accuracy"]; runs/jpqd/model.jpqd is exported
//
//   jpqd::run_command({"qa", "--model_name_or_path", ..., "--output_dir", "runs/qa", "--do_train"});
//
// Errors are jpqd::Error subclasses (jpqd/error.h) with the one-line message the CLI prints. The calls
// run in the calling process: the `jpqd` binary also sets OMP_WAIT_POLICY=PASSIVE and OPENBLAS_NUM_THREADS=1
// for training commands (LibTorch's OpenMP pool and OpenBLAS's pool otherwise fight for the cores); a
// program that trains should set both in its environment before it starts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jpqd/error.h"

namespace jpqd {

// Runs one subcommand of the `jpqd` binary (glue, qa, pretrain, predict, export, report, quantize, ...,
// and the deployment commands eval, benchmark, inspect, tokenize) in this process: args as after the
// program name. --help prints the help and returns; a bad flag throws InvalidArgument.
void run_command(const std::vector<std::string>& args);

// Hugging Face TrainingArguments + OVTrainingArguments, as `jpqd glue` / `jpqd qa` take them. An unset
// field keeps the command's default; `extra_flags` carries any other flag of the command verbatim
// (e.g. {"--save_strategy", "no"}).
struct TrainingArguments {
  std::string output_dir;  // required
  bool overwrite_output_dir = false;
  bool do_train = false;
  bool do_eval = false;
  bool do_predict = false;
  std::optional<int64_t> per_device_train_batch_size;
  std::optional<int64_t> per_device_eval_batch_size;
  std::optional<double> learning_rate;
  std::optional<double> num_train_epochs;
  std::optional<int64_t> max_steps;  // overrides num_train_epochs
  std::optional<int64_t> logging_steps;
  std::optional<std::string> evaluation_strategy;  // no | steps | epoch
  std::optional<int64_t> eval_steps;
  std::optional<std::string> save_strategy;  // no | steps | epoch
  std::optional<int64_t> seed;
  std::optional<double> distillation_weight;       // in [0, 1]
  std::optional<double> distillation_temperature;  // at least 1
  std::vector<std::string> extra_flags;

  // The command-line flags these arguments stand for.
  std::vector<std::string> flags() const;
};

// `jpqd glue`: a GLUE task (or csv/tsv/json files), optionally with a teacher and an NNCF-format
// compression config, as Optimum Intel's OVTrainer runs it.
struct GlueArguments {
  std::string model_name_or_path;  // a checkpoint directory or a named shape (bert-tiny ... bert-large)
  std::string task_name;           // cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli
  std::string teacher_model_name_or_path;
  std::string nncf_compression_config;  // a JSON file (see CompressionConfig)
  std::string data_dir, train_file, validation_file;
  std::optional<int64_t> max_seq_length;
  std::optional<int64_t> max_train_samples;
  std::optional<int64_t> max_eval_samples;
  TrainingArguments training;

  std::vector<std::string> flags() const;  // `jpqd glue`'s flags
};

// A run's results (all_results.json): train_runtime, eval_accuracy, ... Only numeric entries.
using Metrics = std::map<std::string, double>;

// Trains, evaluates and saves as asked; at the end of training the model is exported as OVTrainer does
// (model.jpqd, model.onnx, export.json and the compression report in the output directory).
Metrics train_glue(const GlueArguments& arguments);

// An NNCF-format compression config (movement_sparsity and/or quantization), read and validated as
// training reads it: unknown algorithms and keys are InvalidArgument naming the key path and value.
struct CompressionConfig {
  bool movement_sparsity = false;
  bool quantization = false;
  std::string json;  // the config as given

  static CompressionConfig from_file(const std::string& path);
  static CompressionConfig from_json(const std::string& json_text);
};

// `jpqd export`: a training output (or checkpoint-N) directory as a physically pruned INT8 model.jpqd
// and model.onnx, plus export.json.
struct ExportOptions {
  std::string run_dir;
  std::string output_dir;  // default: run_dir
  bool onnx = true;
};
struct ExportResult {
  std::string model_file;   // <output_dir>/model.jpqd
  std::string onnx_file;    // <output_dir>/model.onnx, empty without onnx
  std::string export_json;  // what was exported and why (export.json's content)
};
ExportResult export_model(const ExportOptions& options);

}  // namespace jpqd
