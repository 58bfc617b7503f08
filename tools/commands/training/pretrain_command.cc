// jpqd pretrain: masked-language-model pretraining with run_mlm.py's flags.
#include <cmath>
#include <filesystem>

#include "commands/command.h"
#include "commands/training/model_loading.h"
#include "commands/training/run_steps.h"
#include "commands/training/training_flags.h"
#include "common/logging.h"
#include "model/layer_stacking.h"
#include "training/tasks/mlm_task.h"
#include "training/trainer.h"

namespace jpqd::cli {

namespace {

struct PretrainFlags {
  std::string model_name_or_path = "bert-mini";
  std::string tokenizer_name;
  bool stack_layers = false;
  training::MlmDataOptions data;
  TrainingFlags training;
};

void run_pretrain(PretrainFlags& f) {
  training::TrainingArguments args = f.training.resolve();
  JPQD_CHECK(!args.do_train || !f.data.train_files.empty(), InvalidArgument, "--do_train needs --train_file");
  f.data.threads = args.threads;  // tokenizing the corpus uses the cores training will use
  text::Tokenizer tokenizer = load_tokenizer(f.model_name_or_path, f.tokenizer_name);
  model::Bert model = load_model(f.model_name_or_path, model::TaskHead::kMaskedLM, std::nullopt, args, tokenizer);
  if (f.stack_layers) {
    model = model::stack_layers(*model);
    log_info("--stack_layers: continuing from ", model->config().num_hidden_layers, " layers, each layer of ",
             f.model_name_or_path, " repeated twice");
  }
  JPQD_CHECK(f.data.max_seq_length <= model->config().max_position_embeddings, InvalidArgument, "--max_seq_length ",
             f.data.max_seq_length, " exceeds max_position_embeddings ", model->config().max_position_embeddings);
  auto datasets = training::build_mlm_datasets(tokenizer, f.data);
  // An empty held-out set would report a NaN loss.
  JPQD_CHECK(!args.do_eval || datasets.eval->size() > 0, InvalidArgument, "--do_eval: no held-out block of ",
             f.data.max_seq_length, " tokens could be formed; give a longer --validation_file, a larger "
             "--validation_split_percentage, or --line_by_line");

  training::Trainer trainer(model, args, datasets.train, datasets.eval, nullptr, tokenizer);
  // Only now that the model and the data are known to be good is the output directory touched, so a bad
  // input leaves nothing behind (as glue and qa).
  prepare_output_dir(args);
  if (args.do_train) train_and_save(trainer);
  if (args.do_eval) {
    Json metrics = trainer.evaluate();
    metrics["perplexity"] = std::exp(metrics["eval_loss"].get<double>());
    log_info("perplexity = ", metrics["perplexity"].get<double>());
    trainer.save_metrics("eval", metrics);
  }
}

}  // namespace

void register_pretrain_command(CLI::App& app) {
  auto flags = std::make_shared<PretrainFlags>();
  CLI::App* cmd = app.add_subcommand("pretrain", "Masked-language-model pretraining (as transformers' run_mlm.py)");
  cmd->add_option("--model_name_or_path", flags->model_name_or_path,
                  "A checkpoint directory (continued pretraining) or a named shape (bert-tiny ... bert-large)")
      ->capture_default_str();
  cmd->add_option("--tokenizer_name", flags->tokenizer_name, "Tokenizer directory: tokenizer.json, vocab.txt, vocab.json + merges.txt or sentencepiece.bpe.model (default: the model's)");
  cmd->add_flag("--stack_layers", flags->stack_layers,
                "Grow the model to twice its depth, each layer repeated (progressive stacking), then pretrain");
  cmd->add_option("--train_file", flags->data.train_files, "Plain-text files, one document per line");
  cmd->add_option("--validation_file", flags->data.validation_file, "Held-out text (default: split from train)");
  cmd->add_option("--validation_split_percentage", flags->data.validation_split_percentage)->capture_default_str();
  cmd->add_flag("--line_by_line", flags->data.line_by_line, "One example per line instead of grouped blocks");
  cmd->add_option("--max_seq_length", flags->data.max_seq_length)->capture_default_str();
  cmd->add_option("--mlm_probability", flags->data.mlm_probability)->capture_default_str();
  cmd->add_flag("--whole_word_mask", flags->data.whole_word_mask, "Mask whole words instead of word pieces");
  cmd->add_option("--max_train_samples", flags->data.max_train_samples)->capture_default_str();
  cmd->add_option("--max_eval_samples", flags->data.max_eval_samples)->capture_default_str();
  add_training_flags(*cmd, flags->training);
  cmd->callback([flags] { run_pretrain(*flags); });
}

}  // namespace jpqd::cli
