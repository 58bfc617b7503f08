// JPQD from C++, the way Optimum Intel's Python example does it:
//
//   ov_config = OVConfig.from_json_file("bert-base-jpqd.json")
//   trainer = OVTrainer(model=model, teacher_model=teacher, args=OVTrainingArguments(...), train_dataset=...,
//                       eval_dataset=..., compute_metrics=..., tokenizer=tokenizer, ov_config=ov_config, task="text-classification")
//   trainer.train(); trainer.evaluate(); trainer.save_model()
//
// save_model() writes the checkpoint and, as OVTrainer does, the exported model: model.jpqd (jpqd's
// runtime), model.onnx, export.json and the compression report.
//
// Usage: jpqd_example_sst2_jpqd [--student DIR|SHAPE] [--teacher DIR|SHAPE] [--config FILE] [--output_dir DIR]
//                               [--max_steps N] [--max_train_samples N] [--max_eval_samples N]
// The defaults are sized for a quick look: a random bert-tiny student, no teacher, configs/tiny-smoke-jpqd.json,
// 2000 SST-2 sentences. The seed's run is
//   --student <bert-base-uncased dir> --teacher <SST-2 fine-tuned bert-base dir>
//   --config configs/bert-base-jpqd.json --max_train_samples -1
// SHAPE is bert-tiny ... bert-large, randomly initialised with the shipped bert-base-uncased vocabulary.
#include <cstdio>
#include <filesystem>
#include <string>

#include "common/error.h"
#include "common/file_io.h"
#include "compression/config/compression_config.h"
#include "export/export_on_save.h"
#include "model/bert_config.h"
#include "model/hf_checkpoint.h"
#include "text/tokenizer.h"
#include "training/tasks/glue_task.h"
#include "training/trainer.h"

namespace jpqd {
namespace {

struct Options {
  std::string student = "bert-tiny";
  std::string teacher;  // empty: no distillation
  std::string config = std::string(JPQD_SOURCE_DIR) + "/configs/tiny-smoke-jpqd.json";
  std::string output_dir = "sst2_jpqd_output";
  int64_t max_steps = -1;  // -1: the epochs decide
  int64_t max_train_samples = 2000;
  int64_t max_eval_samples = -1;  // -1: all 872 SST-2 dev sentences
};

const char* kUsage =
    "usage: %s [--student DIR|SHAPE] [--teacher DIR|SHAPE] [--config FILE] [--output_dir DIR] [--max_steps N] "
    "[--max_train_samples N] [--max_eval_samples N]\n";

int64_t parse_count(const std::string& flag, const std::string& value) {
  size_t used = 0;
  int64_t n = 0;
  try {
    n = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  JPQD_CHECK(used == value.size() && used > 0 && n >= -1, InvalidArgument, flag, ": expected a count or -1, got \"",
             value, "\"");
  return n;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    JPQD_CHECK(i + 1 < argc, InvalidArgument, flag, " needs a value");
    const std::string value = argv[i + 1];
    if (flag == "--student") o.student = value;
    else if (flag == "--teacher") o.teacher = value;
    else if (flag == "--config") o.config = value;
    else if (flag == "--output_dir") o.output_dir = value;
    else if (flag == "--max_steps") o.max_steps = parse_count(flag, value);
    else if (flag == "--max_train_samples") o.max_train_samples = parse_count(flag, value);
    else if (flag == "--max_eval_samples") o.max_eval_samples = parse_count(flag, value);
    else throw InvalidArgument(str_cat("unknown flag ", flag));
  }
  return o;
}

// A fine-tuned checkpoint directory, or a named shape with random weights (what `jpqd glue` accepts too).
model::Bert load_classifier(const std::string& name) {
  if (is_directory(name)) return model::load_pretrained(name, model::TaskHead::kSequenceClassification, 2);
  auto config = model::BertConfig::named_shape(name);
  JPQD_CHECK(config.has_value(), IoError, name, ": not a checkpoint directory nor a named shape (bert-tiny ... bert-large)");
  config->set_num_labels(2);
  return model::Bert(*config, model::TaskHead::kSequenceClassification);
}

text::Tokenizer load_tokenizer(const std::string& student) {
  return text::Tokenizer::from_directory(is_directory(student) ? student
                                                                   : std::string(JPQD_DATA_DIR) + "/vocab/bert-base-uncased");
}

}  // namespace
}  // namespace jpqd

int main(int argc, char** argv) {
  using namespace jpqd;
  try {
    const Options o = parse_options(argc, argv);
    const auto config = compression::CompressionConfig::from_file(o.config);
    const auto tokenizer = load_tokenizer(o.student);
    training::GlueDataOptions data_options;
    data_options.task_name = "sst2";
    data_options.max_train_samples = o.max_train_samples;
    data_options.max_eval_samples = o.max_eval_samples;
    const auto data = training::build_glue_datasets(tokenizer, data_options, JPQD_DATA_DIR, {true, true, false});
    auto model = load_classifier(o.student);
    auto teacher = o.teacher.empty() ? model::Bert{nullptr} : load_classifier(o.teacher);

    training::TrainingArguments args;  // Hugging Face's TrainingArguments + OVTrainingArguments
    args.output_dir = o.output_dir;
    args.do_train = args.do_eval = true;
    args.per_device_train_batch_size = 32;
    args.learning_rate = 2e-5;
    args.num_train_epochs = 5;
    args.max_steps = o.max_steps;
    args.distillation_weight = 0.9;
    args.distillation_temperature = 2.0;

    training::Trainer trainer(model, args, data.train, data.eval.front().dataset, training::glue_compute_metrics(data),
                              tokenizer, config, teacher);
    exporter::ExportOnSaveOptions export_options;
    export_options.provenance = {{"task", "sst2"}, {"program", "examples/sst2_jpqd.cc"}, {"student", o.student},
                                 {"teacher", o.teacher}, {"nncf_compression_config", o.config}};
    exporter::export_on_save(trainer, export_options);
    trainer.train();
    const Json metrics = trainer.evaluate();
    trainer.save_model();
    std::printf("%s\n", metrics.dump(2).c_str());
  } catch (const jpqd::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    if (e.exit_code() == jpqd::ExitCode::kInvalidArgument) std::fprintf(stderr, kUsage, argv[0]);
    return static_cast<int>(e.exit_code());
  }
  return 0;
}
