#include "training/tasks/glue_task.h"

#include <filesystem>
#include <optional>

#include "common/error.h"
#include "common/logging.h"
#include "data/glue_features.h"
#include "data/glue_metrics.h"
#include "data/glue_reader.h"
#include "data/glue_tasks.h"

namespace jpqd::training {

namespace fs = std::filesystem;

namespace {

void truncate(std::vector<data::Example>& examples, int64_t max_samples) {
  if (max_samples >= 0 && static_cast<int64_t>(examples.size()) > max_samples)
    examples.resize(static_cast<size_t>(max_samples));
}

std::shared_ptr<TokenizedDataset> to_dataset(const text::Tokenizer& tokenizer, const text::Tokenizer* teacher_tokenizer,
                                             const std::vector<data::Example>& examples,
                                             const data::LabelSpace& labels, const GlueDataOptions& options) {
  // The dataset pads each batch (to max_seq_length when asked), so the features stay unpadded.
  const data::GlueFeatureOptions feature_options{options.max_seq_length, false, options.threads};
  auto features = data::featurize_glue(examples, labels, tokenizer, feature_options);
  std::optional<int64_t> teacher_pad_id;
  if (teacher_tokenizer) {
    // The same text, truncated to the same length, in the teacher's token ids.
    auto teacher = data::featurize_glue(examples, labels, *teacher_tokenizer, feature_options);
    for (size_t i = 0; i < features.size(); ++i) {
      features[i].teacher_input_ids = std::move(teacher[i].input_ids);
      features[i].teacher_token_type_ids = std::move(teacher[i].token_type_ids);
    }
    teacher_pad_id = teacher_tokenizer->pad_id();
  }
  const bool labeled = !examples.empty() && examples.front().has_target();
  const TargetKind target = !labeled ? TargetKind::kNone
                            : labels.is_regression ? TargetKind::kRegression
                                                   : TargetKind::kClassLabel;
  return std::make_shared<TokenizedDataset>(std::move(features), target,
                                            options.pad_to_max_length ? options.max_seq_length : 0,
                                            tokenizer.pad_id(), teacher_pad_id);
}

}  // namespace

GlueDatasets build_glue_datasets(const text::Tokenizer& tokenizer, const GlueDataOptions& options,
                                 const std::string& shipped_data_dir, GlueSplitsWanted wanted,
                                 const text::Tokenizer* teacher_tokenizer) {
  JPQD_CHECK(options.max_seq_length >= 4 && options.max_seq_length <= tokenizer.model_max_length(),
             InvalidArgument, "--max_seq_length ", options.max_seq_length, " must be in [4, ",
             tokenizer.model_max_length(), "] (the tokenizer's model_max_length)");
  JPQD_CHECK(!teacher_tokenizer || options.max_seq_length <= teacher_tokenizer->model_max_length(), InvalidArgument,
             "--max_seq_length ", options.max_seq_length, " exceeds the teacher tokenizer's model_max_length ",
             teacher_tokenizer ? teacher_tokenizer->model_max_length() : 0);
  GlueDatasets out;
  std::vector<data::Example> train, predict;
  std::vector<std::pair<data::GlueSplit, std::vector<data::Example>>> eval;
  if (!options.task_name.empty()) {
    const data::GlueTask& task = data::glue_task(options.task_name);
    out.task_name = task.name;
    out.label_space = data::LabelSpace::of(task);
    out.label_names = task.label_names;
    const std::string dir = options.data_dir.empty()
                                ? (fs::path(shipped_data_dir) / "glue" / task.glue_dir).string()
                                : options.data_dir;
    // A file given for a split replaces the task's own (the rule every command follows, README "Data files").
    const data::CustomDataFiles& files = options.files;
    if (wanted.train)
      train = files.train_file.empty() ? data::read_glue_split(task, dir, "train")
                                       : data::read_glue_file(task, files.train_file, /*labeled=*/true);
    if (wanted.eval || (wanted.predict && files.test_file.empty())) {
      if (!files.validation_file.empty()) {
        eval.emplace_back(data::GlueSplit{"validation", "", ""}, data::read_glue_file(task, files.validation_file, true));
      } else {
        for (const auto& split : task.eval_splits) eval.emplace_back(split, data::read_glue_split(task, dir, split.name));
      }
    }
    if (wanted.predict && !options.files.test_file.empty())
      predict = data::read_glue_file(task, options.files.test_file, /*labeled=*/false);
  } else {
    JPQD_CHECK(!options.files.train_file.empty() || !options.files.validation_file.empty(), InvalidArgument,
               "give --task_name (", data::known_glue_tasks(), ") or --train_file / --validation_file");
    data::CustomDataset custom = data::load_custom_files(options.files);
    out.label_space = custom.label_space;
    out.label_names = custom.label_space.labels;
    train = std::move(custom.train);
    if (!custom.validation.empty()) eval.emplace_back(data::GlueSplit{"validation", "", ""}, std::move(custom.validation));
    predict = std::move(custom.test);
    JPQD_CHECK(!wanted.train || !train.empty(), InvalidArgument, "--do_train needs --train_file");
    JPQD_CHECK(!wanted.eval || !eval.empty(), InvalidArgument, "--do_eval needs --validation_file");
  }
  if (wanted.train) {
    truncate(train, options.max_train_samples);
    out.train = to_dataset(tokenizer, teacher_tokenizer, train, out.label_space, options);
  }
  for (auto& [split, examples] : eval) {
    truncate(examples, options.max_eval_samples);
    out.eval.push_back({split.name, split.metric_suffix,
                        to_dataset(tokenizer, teacher_tokenizer, examples, out.label_space, options)});
  }
  if (wanted.predict) {
    if (!predict.empty()) {
      truncate(predict, options.max_predict_samples);
      out.predict = to_dataset(tokenizer, teacher_tokenizer, predict, out.label_space, options);
    } else {
      JPQD_CHECK(!out.eval.empty(), InvalidArgument, "--do_predict needs --test_file or a validation split");
      log_info("No --test_file: predicting on the ", out.eval.front().name, " split");
      out.predict = out.eval.front().dataset;
    }
  }
  return out;
}

ComputeMetrics glue_compute_metrics(const GlueDatasets& datasets) {
  const std::string task = datasets.task_name;
  const bool regression = datasets.label_space.is_regression;
  return [task, regression](const EvalPrediction& p) -> Json {
    const auto logits = p.logits.to(torch::kFloat32).contiguous();
    std::vector<double> predictions, labels;
    if (regression) {
      auto flat = logits.view({-1});
      predictions.assign(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    } else {
      auto argmax = logits.argmax(-1).to(torch::kFloat64).contiguous();
      predictions.assign(argmax.data_ptr<double>(), argmax.data_ptr<double>() + argmax.numel());
    }
    auto l = p.labels.to(torch::kFloat64).contiguous().view({-1});
    labels.assign(l.data_ptr<double>(), l.data_ptr<double>() + l.numel());
    return task.empty() ? data::compute_custom_metrics(regression, predictions, labels)
                        : data::compute_glue_metrics(task, predictions, labels);
  };
}

std::string prediction_lines(const GlueDatasets& datasets, const TokenizedDataset& dataset,
                             const EvalPrediction& prediction) {
  std::string out;
  const auto logits = prediction.logits.to(torch::kFloat32).contiguous();
  const int64_t n = logits.size(0);
  for (int64_t i = 0; i < n; ++i) {
    auto row = logits[i].view({-1});
    std::vector<float> values(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
    Json line = {{"index", i}, {"logits", values}};
    if (datasets.label_space.is_regression) {
      line["prediction"] = values.front();
      if (dataset.target() != TargetKind::kNone) line["label"] = dataset.row(i).targets.front();
    } else {
      const auto id = static_cast<size_t>(row.argmax().item<int64_t>());
      line["prediction"] = datasets.label_names.at(id);
      if (dataset.target() != TargetKind::kNone)
        line["label"] = datasets.label_names.at(static_cast<size_t>(dataset.row(i).label));
    }
    out += line.dump() + "\n";
  }
  return out;
}

}  // namespace jpqd::training
