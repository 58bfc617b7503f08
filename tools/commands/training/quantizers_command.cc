// jpqd quantizers: every quantizer a compression config places on a model, with its scope, mode,
// granularity and current range (trained ranges when the model directory holds compression state).
#include <cstdio>
#include <filesystem>

#include "commands/command.h"
#include "commands/training/model_loading.h"
#include "common/error.h"
#include "common/file_io.h"
#include "compression/build_controller.h"
#include "compression/quantization/quantization_controller.h"
#include "training/checkpoint.h"

namespace jpqd::cli {

namespace {

struct QuantizersFlags {
  std::string model_name_or_path;
  std::string nncf_compression_config;
  std::string task = "sequence_classification";
  bool json = false;
};

void run_quantizers(const QuantizersFlags& f) {
  JPQD_CHECK(f.task == "sequence_classification" || f.task == "question_answering", InvalidArgument,
             "--task: expected sequence_classification or question_answering, got \"", f.task, "\"");
  const auto head = f.task == "question_answering" ? model::TaskHead::kQuestionAnswering
                                                    : model::TaskHead::kSequenceClassification;
  std::string config_path = f.nncf_compression_config;
  const auto saved = (std::filesystem::path(f.model_name_or_path) / "compression_config.json").string();
  if (config_path.empty() && file_exists(saved)) config_path = saved;
  JPQD_CHECK(!config_path.empty(), InvalidArgument,
             "--nncf_compression_config is required (the model directory has no compression_config.json)");
  training::TrainingArguments args;
  model::Bert model = load_model(f.model_name_or_path, head, std::nullopt, args, load_tokenizer(f.model_name_or_path));
  auto controller = compression::build_controller(compression::CompressionConfig::from_file(config_path), *model, {});
  const auto* quantization = dynamic_cast<const compression::QuantizationController*>(controller->find("quantization"));
  JPQD_CHECK(quantization != nullptr, InvalidArgument, config_path, ": the config has no quantization algorithm");
  if (is_directory(f.model_name_or_path) &&
      file_exists((std::filesystem::path(f.model_name_or_path) / "compression_state.safetensors").string()))
    training::load_compression_state(f.model_name_or_path, *model);
  const auto infos = quantization->list();
  if (f.json) {
    Json list = Json::array();
    for (const auto& info : infos) list.push_back(info.to_json());
    std::printf("%s\n", list.dump(2).c_str());
  } else {
    std::printf("%s", compression::format_quantizer_table(infos).c_str());
  }
}

}  // namespace

void register_quantizers_command(CLI::App& app) {
  auto f = std::make_shared<QuantizersFlags>();
  CLI::App* cmd = app.add_subcommand("quantizers", "List the quantizers a compression config places on a model");
  cmd->add_option("--model_name_or_path", f->model_name_or_path, "A checkpoint directory or a named shape")->required();
  cmd->add_option("--nncf_compression_config", f->nncf_compression_config,
                  "NNCF-format config (default: the directory's compression_config.json)");
  cmd->add_option("--task", f->task, "sequence_classification | question_answering")->capture_default_str();
  cmd->add_flag("--json", f->json, "Print JSON instead of a table");
  cmd->callback([f] { run_quantizers(*f); });
}

}  // namespace jpqd::cli
