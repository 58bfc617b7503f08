// jpqd glue: GLUE fine-tuning with the flags of transformers' run_glue.py and Optimum Intel's JPQD example
// (--teacher_model_name_or_path, --nncf_compression_config, --distillation_weight/temperature).
// jpqd predict: the same data path, --do_predict only.
#include <algorithm>
#include <filesystem>
#include <optional>

#include "commands/command.h"
#include "commands/training/model_loading.h"
#include "commands/training/run_steps.h"
#include "commands/training/training_flags.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "compression/config/compression_config.h"
#include "export/export_on_save.h"
#include "model/bert_config.h"
#include "training/tasks/glue_task.h"
#include "training/trainer.h"

namespace jpqd::cli {

namespace fs = std::filesystem;

namespace {

struct GlueFlags {
  std::string model_name_or_path;
  std::string tokenizer_name;
  std::string teacher_model_name_or_path;
  std::string nncf_compression_config;
  std::string pad_to_max_length = "true";
  training::GlueDataOptions data;
  TrainingFlags training;
};

bool parse_bool_flag(const std::string& value, const std::string& flag) {
  if (value == "true" || value == "True" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "False" || value == "0" || value == "no") return false;
  throw InvalidArgument(str_cat(flag, ": expected true or false, got \"", value, "\""));
}

void set_labels(model::BertImpl& model, const training::GlueDatasets& data) {
  if (data.label_space.is_regression) return model.set_label_metadata({}, "regression");
  std::map<int64_t, std::string> id2label;
  for (size_t i = 0; i < data.label_names.size(); ++i) id2label[static_cast<int64_t>(i)] = data.label_names[i];
  model.set_label_metadata(std::move(id2label), "single_label_classification");
}

// A fine-tuned classifier cannot serve a task with another label count (transformers stops with a size
// mismatch too); said here in labels rather than as a tensor shape that "config.json implies".
void check_label_count(const std::string& model_dir, const training::GlueDatasets& data) {
  if (!is_directory(model_dir)) return;
  const auto config = model::BertConfig::from_file((fs::path(model_dir) / "config.json").string());
  const auto& a = config.architectures;
  if (std::find(a.begin(), a.end(), "BertForSequenceClassification") == a.end()) return;
  const int64_t wanted = data.label_space.num_labels();
  JPQD_CHECK(config.num_labels() == wanted, InvalidArgument, "--model_name_or_path ", model_dir, ": the model has ",
             config.num_labels(), " outputs but ", data.task_name.empty() ? "the data" : data.task_name, " has ",
             wanted, " labels");
}

void run_glue(GlueFlags& f, bool predict_only) {
  if (predict_only) {
    f.training.args.do_train = false;
    f.training.args.do_eval = false;
    f.training.args.do_predict = true;
  }
  training::TrainingArguments args = f.training.resolve();
  f.data.threads = args.threads;  // tokenizing the splits uses the cores training will use
  JPQD_CHECK(args.do_train || args.do_eval || args.do_predict, InvalidArgument,
             "nothing to do: give --do_train, --do_eval and/or --do_predict");
  f.data.pad_to_max_length = parse_bool_flag(f.pad_to_max_length, "--pad_to_max_length");
  warn_if_unread("--train_file", f.data.files.train_file, args.do_train, "--do_train");
  warn_if_unread("--validation_file", f.data.files.validation_file,
                 args.do_eval || (args.do_predict && f.data.files.test_file.empty()),
                 "--do_eval (or --do_predict without --test_file)");
  warn_if_unread("--test_file", f.data.files.test_file, args.do_predict, "--do_predict");
  JPQD_CHECK(!f.model_name_or_path.empty(), InvalidArgument, "--model_name_or_path is required");
  // Everything that can be checked is checked before the output directory is touched.
  std::optional<compression::CompressionConfig> compression;
  if (!f.nncf_compression_config.empty())
    compression = compression::CompressionConfig::from_file(f.nncf_compression_config);
  text::Tokenizer tokenizer = load_tokenizer(f.model_name_or_path, f.tokenizer_name);
  // A teacher of another family (a RoBERTa teacher for a DistilBERT student) reads each example in its own ids.
  const std::optional<text::Tokenizer> teacher_tokenizer =
      f.teacher_model_name_or_path.empty()
          ? std::nullopt
          : teacher_tokenizer_if_different(f.teacher_model_name_or_path, tokenizer,
                                           model::TaskHead::kSequenceClassification);
  training::GlueDatasets data = training::build_glue_datasets(
      tokenizer, f.data, shipped_data_dir(), {args.do_train, args.do_eval, args.do_predict},
      teacher_tokenizer ? &*teacher_tokenizer : nullptr);
  check_label_count(f.model_name_or_path, data);
  model::Bert model = load_model(f.model_name_or_path, model::TaskHead::kSequenceClassification,
                                 data.label_space.num_labels(), args, tokenizer);
  set_labels(*model, data);
  JPQD_CHECK(f.data.max_seq_length <= model->config().max_position_embeddings, InvalidArgument, "--max_seq_length ",
             f.data.max_seq_length, " exceeds the model's max_position_embeddings ",
             model->config().max_position_embeddings);
  JPQD_CHECK(tokenizer.vocab_size() <= model->config().vocab_size, InvalidArgument, "the tokenizer has ",
             tokenizer.vocab_size(), " tokens but the model's vocab_size is ", model->config().vocab_size);
  model::Bert teacher = f.teacher_model_name_or_path.empty()
                            ? model::Bert{nullptr}
                            : load_teacher(f.teacher_model_name_or_path, tokenizer, model::TaskHead::kSequenceClassification, args);
  JPQD_CHECK(!teacher || f.data.max_seq_length <= teacher->config().max_position_embeddings, InvalidArgument,
             "--max_seq_length ", f.data.max_seq_length, " exceeds the teacher's max_position_embeddings ",
             teacher ? teacher->config().max_position_embeddings : 0);
  // Building the trainer attaches the compression hooks, so a config that does not fit the model fails
  // before the output directory is created.
  training::Trainer trainer(model, args, data.train, data.eval.empty() ? nullptr : data.eval.front().dataset,
                            training::glue_compute_metrics(data), tokenizer, compression, teacher);
  prepare_output_dir(args);
  exporter::ExportOnSaveOptions export_options;
  export_options.provenance = {{"task", f.data.task_name},
                               {"model_name_or_path", f.model_name_or_path},
                               {"teacher_model_name_or_path", f.teacher_model_name_or_path},
                               {"nncf_compression_config", f.nncf_compression_config}};
  exporter::export_on_save(trainer, export_options);
  if (args.do_train) train_and_save(trainer);
  if (args.do_eval) {
    Json all = Json::object();
    for (const auto& split : data.eval) {
      Json metrics = trainer.evaluate(split.dataset.get());
      for (auto& item : metrics.items()) all[item.key() + split.metric_suffix] = item.value();
    }
    trainer.save_metrics("eval", all);
  }
  if (args.do_predict) {
    auto prediction = trainer.predict(*data.predict);
    const std::string name = "predict_results" + (data.task_name.empty() ? "" : "_" + data.task_name) + ".jsonl";
    const std::string path = (fs::path(args.output_dir) / name).string();
    if (trainer.is_main_process()) {
      write_file_atomically(path, training::prediction_lines(data, *data.predict, prediction));
      log_info("Wrote ", data.predict->size(), " predictions to ", path);
    }
  }
}

void add_glue_flags(CLI::App& cmd, GlueFlags& f) {
  cmd.add_option("--model_name_or_path", f.model_name_or_path,
                 "A checkpoint directory or a named shape (bert-tiny ... bert-large) initialised at random")
      ->required();
  cmd.add_option("--tokenizer_name", f.tokenizer_name, "Tokenizer directory: tokenizer.json, vocab.txt, vocab.json + merges.txt or sentencepiece.bpe.model (default: the model's)");
  cmd.add_option("--task_name", f.data.task_name, "cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli");
  cmd.add_option("--data_dir", f.data.data_dir, "Folder with the task's GLUE TSVs (default: the shipped data)");
  cmd.add_option("--train_file", f.data.files.train_file, "csv, tsv or json lines");
  cmd.add_option("--validation_file", f.data.files.validation_file, "csv, tsv or json lines");
  cmd.add_option("--test_file", f.data.files.test_file, "csv, tsv or json lines (labels optional)");
  cmd.add_option("--max_seq_length", f.data.max_seq_length, "Tokens per example after tokenization")
      ->capture_default_str();
  cmd.add_option("--pad_to_max_length", f.pad_to_max_length,
                 "Pad every example to max_seq_length (false: pad each batch to its longest example)")
      ->capture_default_str()
      ->expected(0, 1)
      ->default_str("true");
  cmd.add_option("--max_train_samples", f.data.max_train_samples, "Truncate the training set")->capture_default_str();
  cmd.add_option("--max_eval_samples", f.data.max_eval_samples, "Truncate the evaluation set")->capture_default_str();
  cmd.add_option("--max_predict_samples", f.data.max_predict_samples, "Truncate the prediction set")
      ->capture_default_str();
  cmd.add_option("--teacher_model_name_or_path", f.teacher_model_name_or_path,
                 "A fine-tuned teacher checkpoint for knowledge distillation");
  cmd.add_option("--nncf_compression_config", f.nncf_compression_config,
                 "NNCF-format compression config (movement_sparsity, quantization)");
  cmd.add_option("--cache_dir,--config_name", "Accepted for compatibility (nothing is downloaded)");
  add_training_flags(cmd, f.training);
}

}  // namespace

void register_glue_command(CLI::App& app) {
  auto flags = std::make_shared<GlueFlags>();
  CLI::App* cmd = app.add_subcommand("glue", "Fine-tune on a GLUE task (as transformers' run_glue.py), optionally "
                                             "with JPQD: movement sparsity, quantization and distillation");
  add_glue_flags(*cmd, *flags);
  cmd->callback([flags] { run_glue(*flags, /*predict_only=*/false); });
}

void register_predict_command(CLI::App& app) {
  auto flags = std::make_shared<GlueFlags>();
  CLI::App* cmd = app.add_subcommand("predict", "Write one JSON line of logits per example (jpqd glue --do_predict)");
  add_glue_flags(*cmd, *flags);
  cmd->callback([flags] { run_glue(*flags, /*predict_only=*/true); });
}

}  // namespace jpqd::cli
