// jpqd convert: re-save a checkpoint in another floating-point type, as
// `model.to(torch_dtype).save_pretrained(dir)` does in transformers (FP16 halves what we ship).
#include <filesystem>

#include "commands/command.h"
#include "commands/training/model_loading.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "model/bert_config.h"
#include "model/hf_checkpoint.h"

namespace jpqd::cli {

namespace {

namespace fs = std::filesystem;

struct ConvertFlags {
  std::string model_dir;
  std::string output_dir;
  std::string torch_dtype = "float16";
};

torch::Dtype dtype_named(const std::string& name) {
  if (name == "float32") return torch::kFloat32;
  if (name == "float16") return torch::kFloat16;
  if (name == "bfloat16") return torch::kBFloat16;
  throw InvalidArgument(str_cat("--torch_dtype must be float32, float16 or bfloat16, got ", name));
}

void run_convert(const ConvertFlags& f) {
  const torch::Dtype dtype = dtype_named(f.torch_dtype);
  JPQD_CHECK(fs::is_directory(f.model_dir), IoError, f.model_dir, ": not a checkpoint directory");
  JPQD_CHECK(!fs::exists(f.output_dir) || fs::is_directory(f.output_dir), IoError, "--output_dir ", f.output_dir,
             " exists and is not a directory");
  JPQD_CHECK(!fs::exists(f.output_dir) || fs::is_empty(f.output_dir), InvalidArgument, "--output_dir ", f.output_dir,
             " exists and is not empty");
  const auto config = model::BertConfig::from_file((fs::path(f.model_dir) / "config.json").string());
  model::Bert model = model::load_pretrained(f.model_dir, model::task_head_of(config));
  text::Tokenizer tokenizer = load_tokenizer(f.model_dir);
  ensure_writable_directory(f.output_dir);
  model::save_pretrained(*model, f.output_dir, dtype);
  tokenizer.save(f.output_dir);
  log_info("Saved ", model::task_head_architecture(model->head()), " in ", f.torch_dtype, " to ", f.output_dir);
}

}  // namespace

void register_convert_command(CLI::App& app) {
  auto flags = std::make_shared<ConvertFlags>();
  CLI::App* cmd = app.add_subcommand("convert", "Re-save a checkpoint in float16, bfloat16 or float32");
  cmd->add_option("model_dir", flags->model_dir, "A checkpoint directory (config.json, weights, tokenizer files)")->required();
  cmd->add_option("--output_dir", flags->output_dir, "A new (or empty) directory")->required();
  cmd->add_option("--torch_dtype", flags->torch_dtype, "float16, bfloat16 or float32")->capture_default_str();
  cmd->callback([flags] { run_convert(*flags); });
}

}  // namespace jpqd::cli
