// The structured entry points of jpqd/training.h, each a `jpqd` command with flags built from its
// arguments, so that the library and the CLI cannot drift apart.
#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "common/json_util.h"
#include "compression/config/compression_config.h"
#include "jpqd/training.h"

namespace jpqd {

namespace fs = std::filesystem;

namespace {

std::string number(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

void add(std::vector<std::string>& flags, const char* name, const std::string& value) {
  if (value.empty()) return;
  flags.push_back(name);
  flags.push_back(value);
}
template <typename T>
void add(std::vector<std::string>& flags, const char* name, const std::optional<T>& value) {
  if (!value) return;
  flags.push_back(name);
  if constexpr (std::is_same_v<T, std::string>) flags.push_back(*value);
  else if constexpr (std::is_floating_point_v<T>) flags.push_back(number(*value));
  else flags.push_back(std::to_string(*value));
}
void add(std::vector<std::string>& flags, const char* name, bool on) {
  if (on) flags.push_back(name);
}

CompressionConfig summarize(const compression::CompressionConfig& config) {
  CompressionConfig out;
  out.movement_sparsity = config.movement_sparsity.has_value();
  out.quantization = config.quantization.has_value();
  out.json = config.original.dump(2);
  return out;
}

}  // namespace

std::vector<std::string> TrainingArguments::flags() const {
  std::vector<std::string> f;
  JPQD_CHECK(!output_dir.empty(), InvalidArgument, "TrainingArguments: output_dir is required");
  add(f, "--output_dir", output_dir);
  add(f, "--overwrite_output_dir", overwrite_output_dir);
  add(f, "--do_train", do_train);
  add(f, "--do_eval", do_eval);
  add(f, "--do_predict", do_predict);
  add(f, "--per_device_train_batch_size", per_device_train_batch_size);
  add(f, "--per_device_eval_batch_size", per_device_eval_batch_size);
  add(f, "--learning_rate", learning_rate);
  add(f, "--num_train_epochs", num_train_epochs);
  add(f, "--max_steps", max_steps);
  add(f, "--logging_steps", logging_steps);
  add(f, "--evaluation_strategy", evaluation_strategy);
  add(f, "--eval_steps", eval_steps);
  add(f, "--save_strategy", save_strategy);
  add(f, "--seed", seed);
  add(f, "--distillation_weight", distillation_weight);
  add(f, "--distillation_temperature", distillation_temperature);
  f.insert(f.end(), extra_flags.begin(), extra_flags.end());
  return f;
}

std::vector<std::string> GlueArguments::flags() const {
  std::vector<std::string> f;
  add(f, "--model_name_or_path", model_name_or_path);
  add(f, "--task_name", task_name);
  add(f, "--teacher_model_name_or_path", teacher_model_name_or_path);
  add(f, "--nncf_compression_config", nncf_compression_config);
  add(f, "--data_dir", data_dir);
  add(f, "--train_file", train_file);
  add(f, "--validation_file", validation_file);
  add(f, "--max_seq_length", max_seq_length);
  add(f, "--max_train_samples", max_train_samples);
  add(f, "--max_eval_samples", max_eval_samples);
  const std::vector<std::string> t = training.flags();
  f.insert(f.end(), t.begin(), t.end());
  return f;
}

Metrics train_glue(const GlueArguments& arguments) {
  std::vector<std::string> args = {"glue"};
  const std::vector<std::string> f = arguments.flags();
  args.insert(args.end(), f.begin(), f.end());
  run_command(args);
  Metrics metrics;
  const fs::path results = fs::path(arguments.training.output_dir) / "all_results.json";
  if (!fs::exists(results)) return metrics;  // nothing was trained or evaluated (--do_predict alone)
  const Json results_json = read_json_file(results.string());
  for (const auto& item : results_json.items())
    if (item.value().is_number()) metrics[item.key()] = item.value().get<double>();
  return metrics;
}

CompressionConfig CompressionConfig::from_file(const std::string& path) {
  return summarize(compression::CompressionConfig::from_file(path));
}

CompressionConfig CompressionConfig::from_json(const std::string& json_text) {
  return summarize(compression::CompressionConfig::parse(parse_json(json_text, "compression config"),
                                                         "compression config"));
}

ExportResult export_model(const ExportOptions& options) {
  JPQD_CHECK(!options.run_dir.empty(), InvalidArgument, "export: run_dir is required");
  std::vector<std::string> args = {"export", options.run_dir};
  if (!options.output_dir.empty()) args.insert(args.end(), {"--output_dir", options.output_dir});
  if (!options.onnx) args.push_back("--no_onnx");
  run_command(args);
  const fs::path dir = options.output_dir.empty() ? fs::path(options.run_dir) : fs::path(options.output_dir);
  ExportResult result;
  result.model_file = (dir / "model.jpqd").string();
  if (options.onnx) result.onnx_file = (dir / "model.onnx").string();
  result.export_json = read_json_file((dir / "export.json").string()).dump(2);
  return result;
}

}  // namespace jpqd
