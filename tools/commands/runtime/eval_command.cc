// jpqd eval: the deployed model (model.jpqd on jpqd's runtime) over a GLUE dev set or SQuAD, with the task
// metric, so deployed accuracy is measured rather than assumed.
#include <cstdio>
#include <filesystem>
#include <unordered_map>

#include <jpqd/runtime.h>

#include "commands/command.h"
#include "commands/runtime/flag_checks.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "common/progress_bar.h"
#include "data/glue_features.h"
#include "data/glue_metrics.h"
#include "data/glue_reader.h"
#include "data/squad.h"
#include "data/squad_features.h"
#include "data/squad_metrics.h"
#include "data/squad_postprocess.h"
#include "format/model_file.h"
#include "format/model_metadata.h"
#include "format/model_tokenizer.h"

namespace jpqd::cli {

namespace fs = std::filesystem;

namespace {

struct EvalFlags {
  std::string model;
  std::string task_name;
  std::string data_dir;
  std::string validation_file;
  int64_t train_articles = 0;
  int64_t max_seq_length = 128;
  int64_t doc_stride = 128;
  int64_t batch_size = 32;
  int64_t max_eval_samples = -1;
  int threads = 0;
  std::string output;
  std::string predictions_file;
};

std::string default_data_dir() {
  if (const char* env = std::getenv("JPQD_DATA_DIR"); env && *env) return env;
  return JPQD_DEFAULT_DATA_DIR;
}

// Runs features in batches padded to their longest member; calls `sink(feature index, logits of that row)`.
template <typename Sink>
void run_batches(const runtime::Model& model, const std::vector<const data::Feature*>& features, int64_t batch_size,
                 Sink sink) {
  ProgressBar progress("eval", static_cast<int64_t>((features.size() + batch_size - 1) / batch_size), "batches");
  for (size_t begin = 0; begin < features.size(); begin += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(features.size(), begin + static_cast<size_t>(batch_size));
    int64_t seq = 0;
    for (size_t i = begin; i < end; ++i) seq = std::max<int64_t>(seq, static_cast<int64_t>(features[i]->input_ids.size()));
    const auto b = static_cast<int64_t>(end - begin);
    std::vector<int64_t> ids(static_cast<size_t>(b * seq), 0), mask(ids.size(), 0), types(ids.size(), 0);
    for (size_t i = begin; i < end; ++i) {
      const auto& f = *features[i];
      for (size_t t = 0; t < f.input_ids.size(); ++t) {
        const size_t at = (i - begin) * static_cast<size_t>(seq) + t;
        ids[at] = f.input_ids[t];
        types[at] = t < f.token_type_ids.size() ? f.token_type_ids[t] : 0;
        mask[at] = 1;
      }
    }
    const runtime::Logits out = model.run(ids, mask, types, b, seq);
    for (int64_t r = 0; r < b; ++r) sink(begin + static_cast<size_t>(r), out, r);
    progress.update();
  }
  progress.close();
}

Json eval_glue(const EvalFlags& f, const runtime::Model& model, const text::Tokenizer& tokenizer) {
  const data::GlueTask& task = data::glue_task(f.task_name);
  const std::string dir = f.data_dir.empty() ? (fs::path(default_data_dir()) / "glue" / task.glue_dir).string() : f.data_dir;
  JPQD_CHECK(model.info().task == runtime::Task::kSequenceClassification, InvalidArgument, f.model,
             ": a question-answering model cannot be evaluated on ", task.name);
  JPQD_CHECK(model.info().num_labels == task.num_labels(), InvalidArgument, f.model, ": the model has ",
             model.info().num_labels, " outputs but ", task.name, " has ", task.num_labels(), " labels");
  Json all = Json::object();
  for (const auto& split : task.eval_splits) {
    auto examples = f.validation_file.empty() ? data::read_glue_split(task, dir, split.name)
                                              : data::read_glue_file(task, f.validation_file, true);
    if (f.max_eval_samples >= 0 && static_cast<int64_t>(examples.size()) > f.max_eval_samples)
      examples.resize(static_cast<size_t>(f.max_eval_samples));
    const auto features = data::featurize_glue(examples, data::LabelSpace::of(task), tokenizer,
                                               {f.max_seq_length, false, f.threads});
    std::vector<const data::Feature*> ptrs;
    for (const auto& x : features) ptrs.push_back(&x);
    std::vector<double> predictions(features.size()), references(features.size());
    std::vector<std::vector<float>> logits(features.size());
    run_batches(model, ptrs, f.batch_size, [&](size_t i, const runtime::Logits& out, int64_t row) {
      const float* l = out.logits.data() + row * out.num_labels;
      logits[i].assign(l, l + out.num_labels);
      predictions[i] = task.is_regression ? l[0] : static_cast<double>(std::max_element(l, l + out.num_labels) - l);
      references[i] = task.is_regression ? features[i].targets.front() : static_cast<double>(features[i].label);
    });
    if (!f.predictions_file.empty()) {
      // One JSON line per example, as `jpqd predict` writes them, so the two can be compared line by line.
      std::string lines;
      for (size_t i = 0; i < predictions.size(); ++i) {
        Json line = {{"index", i}, {"label", task.is_regression ? Json(references[i])
                                                               : Json(task.label_names.at(static_cast<size_t>(references[i])))}};
        line["logits"] = logits[i];
        line["prediction"] = task.is_regression ? Json(predictions[i])
                                                : Json(task.label_names.at(static_cast<size_t>(predictions[i])));
        lines += line.dump() + "\n";
      }
      write_file_atomically(f.predictions_file, lines);
    }
    const Json metrics = data::compute_glue_metrics(task.name, predictions, references);
    for (const auto& item : metrics.items()) all["eval_" + item.key() + split.metric_suffix] = item.value();
    all["eval_samples" + split.metric_suffix] = features.size();
    if (!f.validation_file.empty()) break;
  }
  return all;
}

Json eval_squad(const EvalFlags& f, const runtime::Model& model, const text::Tokenizer& tokenizer) {
  JPQD_CHECK(model.info().task == runtime::Task::kQuestionAnswering, InvalidArgument, f.model,
             ": not a question-answering model");
  const std::string path =
      f.validation_file.empty() ? (fs::path(default_data_dir()) / "squad" / "dev-v1.1.json").string() : f.validation_file;
  data::SquadDataset dataset = data::read_squad_file(path);
  if (f.train_articles > 0) dataset = data::split_squad_by_article(dataset, f.train_articles).rest;
  auto& examples = dataset.examples;
  if (f.max_eval_samples >= 0 && static_cast<int64_t>(examples.size()) > f.max_eval_samples)
    examples.resize(static_cast<size_t>(f.max_eval_samples));
  data::SquadFeatureOptions options;
  options.max_seq_length = f.max_seq_length;
  options.doc_stride = f.doc_stride;
  options.threads = f.threads;
  const auto features = data::prepare_squad_features(examples, tokenizer, options);
  std::vector<const data::Feature*> ptrs;
  for (const auto& x : features) ptrs.push_back(&x.feature);
  std::vector<std::vector<float>> starts(features.size()), ends(features.size());
  run_batches(model, ptrs, f.batch_size, [&](size_t i, const runtime::Logits& out, int64_t row) {
    const auto at = static_cast<size_t>(row * out.seq_len);
    starts[i].assign(out.start_logits.begin() + static_cast<std::ptrdiff_t>(at),
                     out.start_logits.begin() + static_cast<std::ptrdiff_t>(at + static_cast<size_t>(out.seq_len)));
    ends[i].assign(out.end_logits.begin() + static_cast<std::ptrdiff_t>(at),
                   out.end_logits.begin() + static_cast<std::ptrdiff_t>(at + static_cast<size_t>(out.seq_len)));
  });
  const auto predicted = data::postprocess_qa_predictions(examples, features, starts, ends);
  std::unordered_map<std::string, std::string> by_id;
  for (size_t i = 0; i < predicted.size(); ++i) by_id[examples[i].id] = predicted[i].text;
  const auto scores = data::evaluate_squad(examples, by_id);
  Json out = {{"eval_exact_match", scores.exact_match}, {"eval_f1", scores.f1}, {"eval_samples", examples.size()}};
  if (f.train_articles > 0)
    out["eval_split"] = str_cat("articles ", f.train_articles, "+ of ", path, " (the first ", f.train_articles,
                                " were used for training)");
  return out;
}

void run_eval(const EvalFlags& f) {
  JPQD_CHECK(f.batch_size > 0, InvalidArgument, "--batch_size must be positive, got ", f.batch_size);
  check_thread_flag("--threads", f.threads);
  check_output_file("--output", f.output);
  check_output_file("--predictions_file", f.predictions_file);
  runtime::set_thread_count_for_this_thread(f.threads > 0 ? f.threads : runtime::available_cores());
  const runtime::Model model = runtime::Model::load(f.model);
  // The tokenizer the model was exported with.
  const format::ModelFile file = format::ModelFile::open(f.model);
  const text::Tokenizer tokenizer =
      format::model_tokenizer(file, format::ModelMetadata::from_json(file.metadata(), f.model));
  JPQD_CHECK(f.max_seq_length > 0 && f.max_seq_length <= model.info().max_sequence_length, InvalidArgument,
             "--max_seq_length ", f.max_seq_length, " must be in [1, ", model.info().max_sequence_length, "]");
  Json metrics = f.task_name == "squad" ? eval_squad(f, model, tokenizer) : eval_glue(f, model, tokenizer);
  metrics["model"] = f.model;
  metrics["int8"] = model.info().int8;
  std::printf("%s\n", metrics.dump(2).c_str());
  if (!f.output.empty()) write_file_atomically(f.output, metrics.dump(2) + "\n");
}

}  // namespace

void register_eval_command(CLI::App& app) {
  auto f = std::make_shared<EvalFlags>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a model.jpqd on a GLUE dev set or SQuAD with jpqd's runtime");
  cmd->add_option("-m,--model", f->model, "model.jpqd")->required();
  cmd->add_option("--task_name", f->task_name, "A GLUE task (sst2, mrpc, ...) or squad")->required();
  cmd->add_option("--data_dir", f->data_dir, "Folder with the GLUE task's TSVs (default: the shipped data)");
  cmd->add_option("--validation_file", f->validation_file, "A GLUE-layout TSV, or SQuAD JSON for squad");
  cmd->add_option("--train_articles", f->train_articles,
                  "squad: skip the first N articles (those a model was trained on)")
      ->capture_default_str();
  cmd->add_option("--max_seq_length", f->max_seq_length)->capture_default_str();
  cmd->add_option("--doc_stride", f->doc_stride, "squad: overlap of context windows")->capture_default_str();
  cmd->add_option("-b,--batch_size", f->batch_size)->capture_default_str();
  cmd->add_option("--max_eval_samples", f->max_eval_samples)->capture_default_str();
  cmd->add_option("--threads", f->threads, "OpenMP threads (default: all cores)");
  cmd->add_option("--output", f->output, "Also write the metrics to this JSON file");
  cmd->add_option("--predictions_file", f->predictions_file, "GLUE: write one JSON line per example");
  cmd->callback([f] { run_eval(*f); });
}

}  // namespace jpqd::cli
