// jpqd quantize: post-training quantization, as NNCF's quantize() (and Optimum Intel's OVQuantizer) does it
// for a transformer: a fine-tuned FP32 checkpoint gets the quantizers QAT would place, their ranges come from
// calibration samples, optionally after SmoothQuant, and the result is exported as after QAT (model.jpqd,
// model.onnx, export.json next to the Hugging Face files and the compression state). No training.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>
#include <map>
#include <set>
#include <thread>

#include "commands/command.h"
#include "commands/training/model_loading.h"
#include "commands/training/training_flags.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "compression/config/compression_config.h"
#include "compression/quantization/quantizer_placement.h"
#include "compression/quantization/smooth_quant.h"
#include "export/export_on_save.h"
#include "model/bert_config.h"
#include "training/calibration.h"
#include "training/device.h"
#include "training/tasks/glue_task.h"
#include "training/tasks/qa_task.h"
#include "training/trainer.h"

namespace jpqd::cli {

namespace fs = std::filesystem;

namespace {

struct QuantizeFlags {
  std::string model_name_or_path;
  std::string tokenizer_name;
  std::string quantization_config;
  std::string preset = "mixed";
  std::string calibration_split = "train";
  int64_t calibration_samples = 300;  // NNCF quantize()'s subset_size
  double smooth_quant_alpha = -1;
  std::string pad_to_max_length = "true";
  training::GlueDataOptions data;       // its files and lengths serve question answering too
  training::QaDataOptions qa;
  training::TrainingArguments args;
  CLI::Option* preset_option = nullptr;
  CLI::Option* alpha_option = nullptr;
};

// The quantization section of configs/bert-base-jpqd.json (roberta-jpqd.json for RoBERTa's embedding adds),
// so that PTQ and QAT place the same quantizers; "performance" quantizes the activations symmetrically too.
Json preset_config(const std::string& preset, const model::BertConfig& config) {
  const bool roberta = config.model_type == "roberta" || config.model_type == "xlm-roberta";
  Json q = {{"algorithm", "quantization"},
            {"preset", preset},
            {"overflow_fix", "enable"},
            {"initializer",
             {{"range",
               {{"num_init_samples", 300},
                {"type", "percentile"},
                {"params", {{"min_percentile", 0.01}, {"max_percentile", 99.99}}}}}}},
            {"ignored_scopes", {roberta ? "{re}.*__add___[0-2]" : "{re}.*__add___[0-1]", "{re}.*layer_norm_0"}}};
  if (preset == "mixed") q["scope_overrides"] = {{"activations", {{"{re}.*matmul_0", {{"mode", "symmetric"}}}}}};
  return q;
}

// The quantization algorithm object of an NNCF config in any of its three forms.
Json quantization_section(const compression::CompressionConfig& config) {
  Json algorithms = config.original.is_object() && config.original.contains("compression")
                        ? config.original["compression"]
                        : config.original;
  if (!algorithms.is_array()) algorithms = Json::array({algorithms});
  for (const auto& a : algorithms)
    if (a.is_object() && a.value("algorithm", "") == "quantization") return a;
  return Json();
}

// A checkpoint that already went through QAT or JPQD carries trained quantizer ranges (or movement masks
// the FP32 weights do not include): quantizing its weights again would ignore them.
void refuse_compressed_checkpoint(const std::string& path) {
  const bool deployed = fs::path(path).extension() == ".jpqd";
  JPQD_CHECK(!file_exists(path) || is_directory(path), InvalidArgument, "--model_name_or_path ", path,
             deployed ? ": a deployed model.jpqd, quantized already; give the fine-tuned FP32 checkpoint it came from"
                      : ": a file, not a checkpoint directory");
  if (!is_directory(path)) return;
  const fs::path dir(path);
  JPQD_CHECK(!file_exists((dir / "compression_state.safetensors").string()), InvalidArgument,
             "--model_name_or_path ", path,
             ": already compressed (compression_state.safetensors holds the quantizer ranges or masks of a QAT or "
             "JPQD run); give the fine-tuned FP32 checkpoint, or export this one with `jpqd export`");
  const auto export_json = (dir / "export.json").string();
  if (file_exists(export_json)) {
    const Json summary = read_json_file(export_json);
    JPQD_CHECK(!summary.value("quantized", false), InvalidArgument, "--model_name_or_path ", path,
               ": already quantized (its export.json says so); give the fine-tuned FP32 checkpoint");
  }
}

// Every option is checked before data and model are read.
void check_flags(const QuantizeFlags& f) {
  JPQD_CHECK(f.calibration_samples > 0, InvalidArgument, "--calibration_samples must be positive, got ",
             f.calibration_samples);
  JPQD_CHECK(f.calibration_samples >= f.args.per_device_eval_batch_size, InvalidArgument, "--calibration_samples ",
             f.calibration_samples, " is smaller than one batch (--per_device_eval_batch_size ",
             f.args.per_device_eval_batch_size, ")");
  JPQD_CHECK(f.calibration_split == "train" || f.calibration_split == "validation", InvalidArgument,
             "--calibration_split: expected train or validation, got \"", f.calibration_split, "\"");
  JPQD_CHECK(f.preset == "mixed" || f.preset == "performance", InvalidArgument, "--preset: unknown preset \"",
             f.preset, "\" (known: mixed, performance)");
  JPQD_CHECK(f.quantization_config.empty() || f.preset_option->count() == 0, InvalidArgument,
             "--preset and --quantization_config both given: the config's quantization section sets the preset");
  JPQD_CHECK(f.alpha_option->count() == 0 || (f.smooth_quant_alpha >= 0 && f.smooth_quant_alpha <= 1),
             InvalidArgument, "--smooth_quant_alpha must be in [0, 1], got ", f.smooth_quant_alpha);
  refuse_compressed_checkpoint(f.model_name_or_path);
  std::error_code ec;
  JPQD_CHECK(!is_directory(f.model_name_or_path) || !fs::exists(f.args.output_dir, ec) ||
                 !fs::equivalent(f.model_name_or_path, f.args.output_dir, ec),
             InvalidArgument, "--output_dir ", f.args.output_dir,
             " is the checkpoint being quantized; write the quantized model elsewhere");
}

// The rows that hold some text: a row of special tokens only (an empty sentence) calibrates nothing real.
std::vector<int64_t> usable_rows(const training::TokenizedDataset& data, const text::Tokenizer& tokenizer) {
  const std::set<int64_t> special(tokenizer.special_ids().begin(), tokenizer.special_ids().end());
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < data.size(); ++i)
    for (int64_t id : data.row(i).input_ids)
      if (!special.count(id)) {
        rows.push_back(i);
        break;
      }
  return rows;
}

// The calibration subset: `samples` of the usable rows, drawn with the seed as the Trainer's first epoch
// draws them. Refuses a set smaller than one batch.
std::vector<int64_t> draw_calibration_samples(const QuantizeFlags& f, const training::TokenizedDataset& data,
                                              const text::Tokenizer& tokenizer) {
  const std::vector<int64_t> usable = usable_rows(data, tokenizer);
  const std::string& file = f.calibration_split == "train" ? f.data.files.train_file : f.data.files.validation_file;
  const std::string split = file.empty() ? "the " + f.calibration_split + " split" : file;
  JPQD_CHECK(!usable.empty(), InvalidArgument, split, " has no usable calibration example (", data.size(),
             " examples, none with text)");
  if (static_cast<int64_t>(usable.size()) < data.size())
    log_warning("calibration: ", data.size() - static_cast<int64_t>(usable.size()), " of the ", data.size(),
                " examples of ", split, " hold no text and are not drawn");
  const int64_t available = static_cast<int64_t>(usable.size());
  const int64_t n = std::min(f.calibration_samples, available);
  const int64_t batch = f.args.per_device_eval_batch_size;
  JPQD_CHECK(n >= batch, InvalidArgument, "the calibration set is smaller than one batch: ", split, " has ", n,
             " usable examples, --per_device_eval_batch_size is ", batch);
  if (n < f.calibration_samples)
    log_warning("calibration: ", split, " has ", available, " usable examples, fewer than --calibration_samples ",
                f.calibration_samples, "; calibrating on all of them");
  std::vector<int64_t> drawn;
  for (int64_t i : training::calibration_indices(available, n, f.args.seed)) drawn.push_back(usable[static_cast<size_t>(i)]);
  return drawn;
}

compression::CompressionConfig quantization_config(const QuantizeFlags& f, const model::BertConfig& model_config,
                                                   int64_t samples) {
  Json section;
  if (f.quantization_config.empty()) {
    section = preset_config(f.preset, model_config);
  } else {
    const auto given = compression::CompressionConfig::from_file(f.quantization_config);
    JPQD_CHECK(given.quantization.has_value(), InvalidArgument, f.quantization_config,
               ": the config has no quantization algorithm");
    if (given.movement_sparsity)
      log_warning(f.quantization_config, ": movement_sparsity needs training and is ignored; only the quantization "
                  "section is used");
    section = quantization_section(given);
  }
  // The calibration set decides the sample count, as subset_size does in NNCF's quantize(). A malformed
  // initializer is left for the parser to name.
  Json& initializer = section["initializer"];
  if (initializer.is_null()) initializer = Json::object();
  if (initializer.is_object()) {
    Json& range = initializer["range"];
    if (range.is_null()) range = Json::object();
    if (range.is_object()) range["num_init_samples"] = samples;
  }
  return compression::CompressionConfig::parse(section, f.quantization_config.empty()
                                                            ? "--preset " + f.preset
                                                            : f.quantization_config);
}

// The Linears whose input gets an activation quantizer: SmoothQuant helps only where inputs are quantized.
std::set<std::string> quantized_inputs(const compression::CompressionConfig& config, model::BertImpl& model) {
  std::set<std::string> names;
  const model::ModelGraph graph = model.graph();
  for (const auto& p : compression::place_quantizers(*config.quantization, graph))
    if (p.target == compression::QuantizerPlacement::Target::kLinearInput) names.insert(p.name.substr(0, p.name.rfind('.')));
  return names;
}

Json smooth(model::BertImpl& model, const compression::CompressionConfig& config, double alpha,
            const training::CalibrationBatch& batches, int64_t batch_count, const torch::Device& device) {
  std::vector<compression::SmoothQuantSkip> skipped;
  std::vector<compression::SmoothQuantSite> sites;
  const std::set<std::string> quantized = quantized_inputs(config, model);
  for (auto& site : compression::smooth_quant_sites(model, &skipped)) {
    if (quantized.count(site.name)) sites.push_back(site);
    else skipped.push_back({site.name, "its input is not quantized"});
  }
  Json applied = Json::array();
  if (!sites.empty()) {
    compression::SmoothQuantStatistics statistics(std::move(sites));
    training::forward_for_statistics(model, batch_count, batches, device);
    applied = compression::apply_smooth_quant(statistics, alpha);
  }
  auto layers = [](size_t n) { return str_cat(n, n == 1 ? " Linear layer" : " Linear layers"); };
  log_info("smooth quant (alpha ", alpha, "): rescaled the inputs of ", layers(applied.size()));
  std::map<std::string, size_t> reasons;
  for (const auto& s : skipped) ++reasons[s.reason];
  for (const auto& [reason, count] : reasons) log_info("smooth quant: ", layers(count), " left alone: ", reason);
  Json left = Json::array();
  for (const auto& s : skipped) left.push_back({{"name", s.name}, {"reason", s.reason}});
  return {{"alpha", alpha}, {"applied", applied}, {"skipped", left}};
}

// The output is built in a hidden sibling directory and moved into place at the end, so a run that fails
// leaves --output_dir as it was (not created, or with its earlier files).
class StagingDirectory {
 public:
  explicit StagingDirectory(const std::string& final_dir) : final_(fs::absolute(final_dir).lexically_normal()) {
    if (final_.filename().empty()) final_ = final_.parent_path();
    std::random_device rd;
    staging_ = final_.parent_path() / ("." + final_.filename().string() + ".tmp" + std::to_string(rd()));
  }
  ~StagingDirectory() {
    if (!created_ || committed_) return;
    std::error_code ec;
    fs::remove_all(created_root_.empty() ? staging_ : created_root_, ec);
  }
  StagingDirectory(const StagingDirectory&) = delete;
  StagingDirectory& operator=(const StagingDirectory&) = delete;

  std::string path() const { return staging_.string(); }
  void create() {
    for (fs::path p = final_.parent_path(); !p.empty() && !fs::exists(p); p = p.parent_path()) created_root_ = p;
    created_ = true;
    fs::create_directories(staging_);
  }

  // An empty or missing --output_dir is replaced at once; one holding files (--overwrite_output_dir) gets
  // each new file moved over the old one of the same name and keeps the others, as HF overwrites.
  void commit() {
    std::error_code ec;
    if (fs::is_directory(final_, ec) && !fs::is_empty(final_, ec)) {
      for (const auto& entry : fs::directory_iterator(staging_)) {
        const fs::path target = final_ / entry.path().filename();
        if (entry.is_directory() && fs::is_directory(target)) fs::remove_all(target);
        fs::rename(entry.path(), target);
      }
      fs::remove(staging_);
    } else {
      fs::remove(final_, ec);  // an empty directory
      fs::rename(staging_, final_);
    }
    committed_ = true;
  }

 private:
  fs::path final_;
  fs::path staging_;
  fs::path created_root_;  // the topmost missing ancestor of --output_dir, removed again on failure
  bool created_ = false;
  bool committed_ = false;
};

// What the task contributes: the calibration split, the evaluation splits and their metric.
struct TaskData {
  model::TaskHead head = model::TaskHead::kSequenceClassification;
  std::string task;  // "sst2", ..., "squad"
  std::shared_ptr<training::TokenizedDataset> calibration;
  std::vector<std::pair<std::string, std::shared_ptr<training::TokenizedDataset>>> eval;  // metric suffix, split
  training::ComputeMetrics metrics;
  std::optional<int64_t> num_labels;  // classification
};

model::TaskHead head_of(const std::string& model_name_or_path) {
  if (!is_directory(model_name_or_path)) return model::TaskHead::kSequenceClassification;
  return model::task_head_of(model::BertConfig::from_file((fs::path(model_name_or_path) / "config.json").string()));
}

TaskData glue_data(QuantizeFlags& f, const text::Tokenizer& tokenizer) {
  const bool on_train = f.calibration_split == "train";
  warn_if_unread("--train_file", f.data.files.train_file, on_train, "--calibration_split train");
  warn_if_unread("--validation_file", f.data.files.validation_file, !on_train || f.args.do_eval,
                 "--calibration_split validation or --do_eval");
  auto data = std::make_shared<training::GlueDatasets>(training::build_glue_datasets(
      tokenizer, f.data, shipped_data_dir(), {on_train, f.args.do_eval || !on_train, false}));
  TaskData t;
  t.task = data->task_name;
  t.calibration = on_train ? data->train : data->eval.front().dataset;
  if (f.args.do_eval)
    for (const auto& split : data->eval) t.eval.emplace_back(split.metric_suffix, split.dataset);
  t.metrics = training::glue_compute_metrics(*data);
  t.num_labels = data->label_space.num_labels();
  return t;
}

// SQuAD: calibration samples are context windows, as the model sees them.
TaskData squad_data(QuantizeFlags& f, const text::Tokenizer& tokenizer) {
  const bool on_train = f.calibration_split == "train";
  JPQD_CHECK(f.data.task_name.empty(), InvalidArgument, "--task_name ", f.data.task_name,
             ": the model answers questions; give SQuAD JSON files (--train_file, --validation_file)");
  JPQD_CHECK(!on_train || !f.data.files.train_file.empty(), InvalidArgument,
             "--calibration_split train needs --train_file (SQuAD JSON) for a question-answering model");
  JPQD_CHECK((on_train && !f.args.do_eval) || !f.data.files.validation_file.empty(), InvalidArgument,
             on_train ? "--do_eval" : "--calibration_split validation",
             " needs --validation_file (SQuAD JSON) for a question-answering model");
  f.qa.train_file = f.data.files.train_file;
  f.qa.validation_file = f.data.files.validation_file;
  f.qa.features.max_seq_length = f.data.max_seq_length;
  f.qa.features.pad_to_max_length = f.data.pad_to_max_length;
  f.qa.features.threads = f.args.threads;
  f.qa.max_eval_samples = f.data.max_eval_samples;
  auto data = std::make_shared<training::QaDatasets>(
      training::build_qa_datasets(tokenizer, f.qa, on_train, f.args.do_eval || !on_train));
  TaskData t;
  t.head = model::TaskHead::kQuestionAnswering;
  t.task = "squad";
  t.calibration = on_train ? data->train : data->eval;
  if (f.args.do_eval) t.eval.emplace_back("", data->eval);
  t.metrics = training::qa_compute_metrics(data, f.qa.postprocess);
  return t;
}

// A checkpoint fine-tuned for the task: a masked-LM or bare encoder would get a random head.
void check_fine_tuned(const std::string& path, const TaskData& t) {
  if (!is_directory(path)) {
    log_warning("--model_name_or_path ", path, " is a named shape: quantizing a randomly initialised model, not a "
                "fine-tuned one");
    return;
  }
  const auto config = model::BertConfig::from_file((fs::path(path) / "config.json").string());
  const std::string head = model::task_head_architecture(t.head, config);
  const auto& a = config.architectures;
  JPQD_CHECK(std::find(a.begin(), a.end(), head) != a.end(), InvalidArgument, "--model_name_or_path ", path,
             ": not a fine-tuned ", head, " (config.json's architectures: ", a.empty() ? std::string("none") : a.front(),
             "); fine-tune it first with `jpqd glue` or `jpqd qa`");
  JPQD_CHECK(!t.num_labels || config.num_labels() == *t.num_labels, InvalidArgument, "--model_name_or_path ", path,
             ": the model has ", config.num_labels(), " outputs but ", t.task.empty() ? "the data" : t.task, " has ",
             t.num_labels.value_or(0), " labels");
}

void run_quantize(QuantizeFlags& f) {
  training::TrainingArguments& args = f.args;
  args.validate();
  check_flags(f);
  f.data.pad_to_max_length = f.pad_to_max_length == "true" || f.pad_to_max_length == "True" || f.pad_to_max_length == "1";
  JPQD_CHECK(f.data.pad_to_max_length || f.pad_to_max_length == "false" || f.pad_to_max_length == "False" ||
                 f.pad_to_max_length == "0",
             InvalidArgument, "--pad_to_max_length: expected true or false, got \"", f.pad_to_max_length, "\"");
  const fs::path out(args.output_dir);
  std::error_code ec;
  JPQD_CHECK(args.overwrite_output_dir || !fs::is_directory(out, ec) || fs::is_empty(out, ec), InvalidArgument,
             "Output directory (", args.output_dir,
             ") already exists and is not empty. Use --overwrite_output_dir to overcome.");
  JPQD_CHECK(!fs::exists(out, ec) || fs::is_directory(out, ec), IoError, "--output_dir ", args.output_dir,
             " exists and is not a directory");
  check_writable_directory(args.output_dir);
  f.data.threads = args.threads;
  torch::set_num_threads(static_cast<int>(args.threads > 0 ? args.threads : std::thread::hardware_concurrency()));

  text::Tokenizer tokenizer = load_tokenizer(f.model_name_or_path, f.tokenizer_name);
  TaskData data = head_of(f.model_name_or_path) == model::TaskHead::kQuestionAnswering ? squad_data(f, tokenizer)
                                                                                       : glue_data(f, tokenizer);
  const std::vector<int64_t> samples = draw_calibration_samples(f, *data.calibration, tokenizer);
  check_fine_tuned(f.model_name_or_path, data);
  model::Bert model = load_model(f.model_name_or_path, data.head, data.num_labels, args, tokenizer);
  JPQD_CHECK(f.data.max_seq_length <= model->config().max_position_embeddings, InvalidArgument, "--max_seq_length ",
             f.data.max_seq_length, " exceeds the model's max_position_embeddings ",
             model->config().max_position_embeddings);
  const compression::CompressionConfig config =
      quantization_config(f, model->config(), static_cast<int64_t>(samples.size()));
  const int64_t batch_size = args.per_device_eval_batch_size;
  const training::CalibrationBatch batches = training::calibration_batches(*data.calibration, samples, batch_size);
  const int64_t batch_count = training::calibration_batch_count(static_cast<int64_t>(samples.size()), batch_size);
  log_info("calibration: ", samples.size(), " samples of the ", f.calibration_split, " split (seed ", args.seed,
           "), ", batch_count, " batches of up to ", batch_size);

  Json smooth_quant;
  if (f.alpha_option->count() > 0) {
    // Statistics of the FP32 model, folded before any quantizer sees the weights (NNCF runs SmoothQuant first).
    smooth_quant = smooth(*model, config, f.smooth_quant_alpha, batches, batch_count, torch::kCPU);
  }

  StagingDirectory staging(args.output_dir);
  const std::string final_dir = args.output_dir;
  args.output_dir = staging.path();
  // Building the trainer attaches the quantizers (a config that does not fit the model fails here, before
  // anything is written); the calibration split stands in for its training set.
  training::Trainer trainer(model, args, data.calibration, data.eval.empty() ? nullptr : data.eval.front().second,
                            data.metrics, tokenizer, config);
  training::initialize_ranges(*trainer.controller(), *trainer.model(), batch_count, batches, torch::kCPU);
  staging.create();

  exporter::ExportOnSaveOptions export_options;
  export_options.report = false;  // the report plots training; there was none
  export_options.provenance = {{"task", data.task},
                               {"model_name_or_path", f.model_name_or_path},
                               {"post_training_quantization",
                                {{"calibration_samples", samples.size()},
                                 {"calibration_split", f.calibration_split},
                                 {"seed", args.seed},
                                 {"quantization_config", f.quantization_config},
                                 {"preset", f.quantization_config.empty() ? f.preset : ""},
                                 {"smooth_quant_alpha", smooth_quant.is_null() ? Json() : Json(f.smooth_quant_alpha)}}}};
  exporter::export_on_save(trainer, export_options);
  trainer.save_model();
  const Json results = {
      {"calibration", {{"split", f.calibration_split}, {"seed", args.seed}, {"batch_size", batch_size}, {"indices", samples}}},
      {"quantization_config", config.original},
      {"smooth_quant", smooth_quant}};
  write_file_atomically((fs::path(staging.path()) / "quantize_results.json").string(), results.dump(2) + "\n");
  if (!data.eval.empty()) {
    Json metrics = Json::object();
    for (const auto& [suffix, split] : data.eval) {
      const Json split_metrics = trainer.evaluate(split.get());
      for (const auto& item : split_metrics.items()) metrics[item.key() + suffix] = item.value();
    }
    trainer.save_metrics("eval", metrics);
  }
  staging.commit();
  log_info("Quantized ", f.model_name_or_path, " into ", final_dir);
}

}  // namespace

void register_quantize_command(CLI::App& app) {
  auto f = std::make_shared<QuantizeFlags>();
  auto& a = f->args;
  CLI::App* cmd = app.add_subcommand("quantize", "Post-training INT8 quantization of a fine-tuned checkpoint: "
                                                 "calibrated ranges, optional SmoothQuant, no training");
  cmd->add_option("--model_name_or_path", f->model_name_or_path, "A fine-tuned FP32 checkpoint directory")->required();
  cmd->add_option("--tokenizer_name", f->tokenizer_name, "Tokenizer directory (default: the model's)");
  cmd->add_option("--task_name", f->data.task_name,
                  "cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli (a question-answering checkpoint reads SQuAD "
                  "files instead)");
  cmd->add_option("--data_dir", f->data.data_dir, "Folder with the task's GLUE TSVs (default: the shipped data)");
  cmd->add_option("--train_file", f->data.files.train_file, "csv, tsv or json lines; SQuAD JSON for question answering");
  cmd->add_option("--validation_file", f->data.files.validation_file, "csv, tsv or json lines; SQuAD JSON");
  cmd->add_option("--max_seq_length", f->data.max_seq_length, "Tokens per example")->capture_default_str();
  cmd->add_option("--pad_to_max_length", f->pad_to_max_length, "Pad every example to max_seq_length")
      ->capture_default_str()
      ->expected(0, 1)
      ->default_str("true");
  cmd->add_option("--max_eval_samples", f->data.max_eval_samples, "Truncate the evaluation set")->capture_default_str();
  cmd->add_option("--doc_stride", f->qa.features.doc_stride, "Question answering: overlap of context windows")
      ->capture_default_str();
  cmd->add_option("--max_query_length", f->qa.features.max_query_length, "Question answering: question tokens kept")
      ->capture_default_str();
  cmd->add_option("--train_articles", f->qa.train_articles,
                  "Question answering: calibrate on the first N articles of --train_file, evaluate on the other "
                  "articles of --validation_file")
      ->capture_default_str();
  cmd->add_option("--calibration_samples", f->calibration_samples,
                  "Calibration samples (NNCF's subset_size); fewer when the split is smaller")
      ->capture_default_str();
  cmd->add_option("--calibration_split", f->calibration_split, "train | validation: where they are drawn from")
      ->capture_default_str();
  cmd->add_option("--quantization_config,--nncf_compression_config", f->quantization_config,
                  "NNCF-format config whose quantization section places the quantizers (movement_sparsity is ignored)");
  f->preset_option = cmd->add_option("--preset", f->preset,
                                     "mixed (the quantization of configs/bert-base-jpqd.json) | performance "
                                     "(symmetric activations); without --quantization_config")
                         ->capture_default_str();
  f->alpha_option = cmd->add_option("--smooth_quant_alpha", f->smooth_quant_alpha,
                                    "Apply SmoothQuant with this migration strength in [0, 1] (NNCF's transformer "
                                    "default is 0.95); off when not given");
  cmd->add_option("--output_dir", a.output_dir, "Where the quantized checkpoint and model.jpqd/model.onnx go")
      ->required();
  cmd->add_flag("--overwrite_output_dir", a.overwrite_output_dir, "Reuse a non-empty output directory");
  cmd->add_flag("--do_eval", a.do_eval, "Evaluate the quantized model on the validation set");
  cmd->add_option("--per_device_eval_batch_size", a.per_device_eval_batch_size, "Calibration and evaluation batch size")
      ->capture_default_str();
  cmd->add_option("--seed", a.seed, "Draws the calibration samples")->capture_default_str();
  cmd->add_option("--threads", a.threads, "Intra-op threads (default: all cores)")->capture_default_str();
  cmd->add_flag("--disable_tqdm", a.disable_tqdm, "Plain log lines instead of a progress bar");
  cmd->add_option("--cache_dir", "Accepted for compatibility (nothing is downloaded)");
  cmd->callback([f] { run_quantize(*f); });
}

}  // namespace jpqd::cli
