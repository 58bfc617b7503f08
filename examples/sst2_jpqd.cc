// JPQD from C++, the way Optimum Intel's Python example does it, through the public API (jpqd/training.h):
//
//   ov_config = OVConfig.from_json_file("bert-base-jpqd.json")
//   trainer = OVTrainer(model=model, teacher_model=teacher, args=OVTrainingArguments(...), train_dataset=...,
//                       eval_dataset=..., compute_metrics=..., tokenizer=tokenizer, ov_config=ov_config, task="text-classification")
//   trainer.train(); trainer.evaluate(); trainer.save_model()
//
// jpqd::train_glue() trains, evaluates and saves, and the end of training exports as OVTrainer does:
// model.jpqd (jpqd's runtime), model.onnx, export.json and the compression report.
//
// Usage: jpqd_example_sst2_jpqd --config FILE [--student DIR|SHAPE] [--teacher DIR|SHAPE] [--output_dir DIR]
//                               [--max_steps N] [--max_train_samples N] [--max_eval_samples N]
// The defaults are sized for a quick look: a random bert-tiny student, no teacher, 2000 SST-2 sentences; give
// configs/tiny-smoke-jpqd.json as the config. The seed's run is
//   --student <bert-base-uncased dir> --teacher <SST-2 fine-tuned bert-base dir>
//   --config configs/bert-base-jpqd.json --max_train_samples -1
// SHAPE is bert-tiny ... bert-large, randomly initialised with the shipped bert-base-uncased vocabulary.
#include <jpqd/training.h>

#include <cstdio>
#include <string>

namespace {

struct Options {
  std::string student = "bert-tiny";
  std::string teacher;  // empty: no distillation
  std::string config;
  std::string output_dir = "sst2_jpqd_output";
  int64_t max_steps = -1;  // -1: the epochs decide
  int64_t max_train_samples = 2000;
  int64_t max_eval_samples = -1;  // -1: all 872 SST-2 dev sentences
};

const char* kUsage =
    "usage: %s --config FILE [--student DIR|SHAPE] [--teacher DIR|SHAPE] [--output_dir DIR] [--max_steps N] "
    "[--max_train_samples N] [--max_eval_samples N]\n";

int64_t parse_count(const std::string& flag, const std::string& value) {
  size_t used = 0;
  int64_t n = 0;
  try {
    n = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || used == 0 || n < -1)
    throw jpqd::InvalidArgument(flag + ": expected a count or -1, got \"" + value + "\"");
  return n;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) throw jpqd::InvalidArgument(flag + " needs a value");
    const std::string value = argv[i + 1];
    if (flag == "--student") o.student = value;
    else if (flag == "--teacher") o.teacher = value;
    else if (flag == "--config") o.config = value;
    else if (flag == "--output_dir") o.output_dir = value;
    else if (flag == "--max_steps") o.max_steps = parse_count(flag, value);
    else if (flag == "--max_train_samples") o.max_train_samples = parse_count(flag, value);
    else if (flag == "--max_eval_samples") o.max_eval_samples = parse_count(flag, value);
    else throw jpqd::InvalidArgument("unknown flag " + flag);
  }
  if (o.config.empty()) throw jpqd::InvalidArgument("--config is required");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse_options(argc, argv);
    // Read and checked before any work, as OVConfig.from_json_file would.
    const auto config = jpqd::CompressionConfig::from_file(o.config);
    std::fprintf(stderr, "compression: movement sparsity %s, quantization %s\n",
                 config.movement_sparsity ? "on" : "off", config.quantization ? "on" : "off");

    jpqd::GlueArguments run;
    run.model_name_or_path = o.student;
    run.teacher_model_name_or_path = o.teacher;
    run.nncf_compression_config = o.config;
    run.task_name = "sst2";
    run.max_train_samples = o.max_train_samples;
    run.max_eval_samples = o.max_eval_samples;
    jpqd::TrainingArguments& args = run.training;  // Hugging Face's TrainingArguments + OVTrainingArguments
    args.output_dir = o.output_dir;
    args.do_train = args.do_eval = true;
    args.per_device_train_batch_size = 32;
    args.learning_rate = 2e-5;
    args.num_train_epochs = 5;
    args.max_steps = o.max_steps;
    if (!o.teacher.empty()) {
      args.distillation_weight = 0.9;
      args.distillation_temperature = 2.0;
    }
    const jpqd::Metrics metrics = jpqd::train_glue(run);
    std::printf("{");
    const char* separator = "\n";
    for (const auto& [name, value] : metrics) {
      std::printf("%s  \"%s\": %.17g", separator, name.c_str(), value);
      separator = ",\n";
    }
    std::printf("\n}\n");
  } catch (const jpqd::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    if (e.exit_code() == jpqd::ExitCode::kInvalidArgument) std::fprintf(stderr, kUsage, argv[0]);
    return static_cast<int>(e.exit_code());
  }
  return 0;
}
