// jpqd qa: SQuAD v1.1 fine-tuning with the flags of transformers' run_qa.py, plus JPQD (teacher,
// compression config, distillation weight and temperature) as Optimum Intel's question-answering example.
#include <filesystem>

#include "commands/command.h"
#include "commands/training/model_loading.h"
#include "commands/training/run_steps.h"
#include "commands/training/training_flags.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "compression/config/compression_config.h"
#include "export/export_on_save.h"
#include "training/tasks/qa_task.h"
#include "training/trainer.h"

namespace jpqd::cli {

namespace fs = std::filesystem;

namespace {

struct QaFlags {
  std::string model_name_or_path;
  std::string tokenizer_name;
  std::string teacher_model_name_or_path;
  std::string nncf_compression_config;
  bool version_2_with_negative = false;
  training::QaDataOptions data;
  TrainingFlags training;
};

void run_qa(QaFlags& f) {
  training::TrainingArguments args = f.training.resolve();
  f.data.features.threads = args.threads;  // tokenizing the splits uses the cores training will use
  JPQD_CHECK(args.do_train || args.do_eval, InvalidArgument, "nothing to do: give --do_train and/or --do_eval");
  JPQD_CHECK(!f.version_2_with_negative, InvalidArgument,
             "--version_2_with_negative: SQuAD v2 (unanswerable questions) is not supported");
  JPQD_CHECK(!f.model_name_or_path.empty(), InvalidArgument, "--model_name_or_path is required");
  // Post-processing runs only at evaluation, after the output directory exists: its flags are checked now.
  JPQD_CHECK(f.data.postprocess.n_best_size > 0 && f.data.postprocess.max_answer_length > 0, InvalidArgument,
             "--n_best_size and --max_answer_length must be positive, got ", f.data.postprocess.n_best_size, " and ",
             f.data.postprocess.max_answer_length);
  warn_if_unread("--train_file", f.data.train_file, args.do_train, "--do_train");
  warn_if_unread("--validation_file", f.data.validation_file, args.do_eval, "--do_eval");
  std::optional<compression::CompressionConfig> compression;
  if (!f.nncf_compression_config.empty())
    compression = compression::CompressionConfig::from_file(f.nncf_compression_config);
  text::Tokenizer tokenizer = load_tokenizer(f.model_name_or_path, f.tokenizer_name);
  // A teacher that cannot distil spans is refused before SQuAD is tokenized.
  if (!f.teacher_model_name_or_path.empty())
    teacher_tokenizer_if_different(f.teacher_model_name_or_path, tokenizer, model::TaskHead::kQuestionAnswering);
  auto data = std::make_shared<training::QaDatasets>(
      training::build_qa_datasets(tokenizer, f.data, args.do_train, args.do_eval));
  model::Bert model = load_model(f.model_name_or_path, model::TaskHead::kQuestionAnswering, std::nullopt, args, tokenizer);
  JPQD_CHECK(f.data.features.max_seq_length <= model->config().max_position_embeddings, InvalidArgument,
             "--max_seq_length ", f.data.features.max_seq_length, " exceeds the model's max_position_embeddings ",
             model->config().max_position_embeddings);
  model::Bert teacher = f.teacher_model_name_or_path.empty()
                            ? model::Bert{nullptr}
                            : load_teacher(f.teacher_model_name_or_path, tokenizer, model::TaskHead::kQuestionAnswering, args);
  training::Trainer trainer(model, args, data->train, data->eval,
                            training::qa_compute_metrics(data, f.data.postprocess), tokenizer, compression, teacher);
  prepare_output_dir(args);
  exporter::ExportOnSaveOptions export_options;
  export_options.provenance = {{"task", "squad"},
                               {"model_name_or_path", f.model_name_or_path},
                               {"teacher_model_name_or_path", f.teacher_model_name_or_path},
                               {"nncf_compression_config", f.nncf_compression_config}};
  exporter::export_on_save(trainer, export_options);
  if (args.do_train) train_and_save(trainer);
  if (args.do_eval) {
    Json metrics = trainer.evaluate();
    if (!data->split_note.empty()) metrics["eval_split"] = data->split_note;
    trainer.save_metrics("eval", metrics);
    const auto prediction = trainer.predict(*data->eval);
    if (trainer.is_main_process())
      write_file_atomically((fs::path(args.output_dir) / "eval_predictions.json").string(),
                            training::qa_predictions_json(*data, prediction, f.data.postprocess).dump(2));
  }
}

}  // namespace

void register_qa_command(CLI::App& app) {
  auto f = std::make_shared<QaFlags>();
  f->data.features.pad_to_max_length = true;  // run_qa's default
  CLI::App* cmd = app.add_subcommand("qa", "Fine-tune on SQuAD v1.1 (as transformers' run_qa.py), optionally with "
                                           "JPQD: movement sparsity, quantization and distillation");
  cmd->add_option("--model_name_or_path", f->model_name_or_path,
                  "A checkpoint directory or a named shape (bert-tiny ... bert-large) initialised at random")
      ->required();
  cmd->add_option("--tokenizer_name", f->tokenizer_name, "Tokenizer directory: tokenizer.json, vocab.txt, vocab.json + merges.txt or sentencepiece.bpe.model (default: the model's)");
  cmd->add_option("--train_file", f->data.train_file, "SQuAD v1.1 JSON");
  cmd->add_option("--validation_file", f->data.validation_file, "SQuAD v1.1 JSON");
  cmd->add_option("--train_articles", f->data.train_articles,
                  "Train on the first N articles of --train_file, evaluate on the other articles of "
                  "--validation_file (splits one file, e.g. the shipped SQuAD dev set)")
      ->capture_default_str();
  cmd->add_option("--max_seq_length", f->data.features.max_seq_length)->capture_default_str();
  cmd->add_option("--doc_stride", f->data.features.doc_stride, "Overlap of consecutive context windows")
      ->capture_default_str();
  cmd->add_option("--max_query_length", f->data.features.max_query_length, "Question tokens kept (0: all)")
      ->capture_default_str();
  cmd->add_flag("--pad_to_max_length,!--no_pad_to_max_length", f->data.features.pad_to_max_length,
                "Pad every window to max_seq_length");
  cmd->add_option("--n_best_size", f->data.postprocess.n_best_size)->capture_default_str();
  cmd->add_option("--max_answer_length", f->data.postprocess.max_answer_length)->capture_default_str();
  cmd->add_option("--max_train_samples", f->data.max_train_samples)->capture_default_str();
  cmd->add_option("--max_eval_samples", f->data.max_eval_samples)->capture_default_str();
  cmd->add_flag("--version_2_with_negative", f->version_2_with_negative, "SQuAD v2 (not supported)");
  cmd->add_option("--teacher_model_name_or_path", f->teacher_model_name_or_path,
                  "A fine-tuned QA teacher for knowledge distillation");
  cmd->add_option("--nncf_compression_config", f->nncf_compression_config,
                  "NNCF-format compression config (movement_sparsity, quantization)");
  cmd->add_option("--cache_dir,--dataset_name", "Accepted for compatibility (nothing is downloaded)");
  add_training_flags(*cmd, f->training);
  cmd->callback([f] { run_qa(*f); });
}

}  // namespace jpqd::cli
