#include "export/report/report_data.h"

#include <filesystem>

#include "common/error.h"
#include "common/file_io.h"

namespace jpqd::exporter {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPrefix = "compression/movement_sparsity/";

std::optional<Json> read_if_present(const fs::path& path) {
  if (!file_exists(path.string())) return std::nullopt;
  return read_json_file(path.string());
}

// Warm-up boundaries in optimizer steps: the config's epochs times the measured (or given) steps per epoch.
void read_warmup(const fs::path& dir, const Json& state, ReportData& data) {
  auto config = read_if_present(dir / "compression_config.json");
  if (!config) return;
  const Json algorithms = config->is_array() ? *config : config->contains("compression") ? (*config)["compression"]
                                                                                           : Json::array({*config});
  // A copy, not a pointer: a pointer into a temporary list (a ternary between a Json and a new array
  // yields a copy) dangled here and lost the warm-up marks.
  Json movement;
  for (const auto& a : algorithms.is_array() ? algorithms : Json::array({algorithms}))
    if (a.value("algorithm", "") == "movement_sparsity") movement = a;
  if (!movement.is_object() || !movement.contains("params")) return;
  const Json& params = movement["params"];
  const Json scheduler = state.value("compression_state", Json::object()).value("movement_sparsity", Json::object());
  Json spe = scheduler.value("steps_per_epoch", Json());
  if (spe.is_null()) spe = params.value("steps_per_epoch", Json());
  if (!spe.is_number_integer()) return;
  data.warmup_start_step = params.value("warmup_start_epoch", int64_t{0}) * spe.get<int64_t>();
  data.warmup_end_step = params.value("warmup_end_epoch", int64_t{0}) * spe.get<int64_t>();
}

}  // namespace

Json ReportData::to_json() const {
  Json layer_list = Json::array();
  int64_t before = 0, after = 0;
  for (const auto& l : layers) {
    layer_list.push_back({{"layer", l.layer},
                          {"parameters_before", l.parameters_before},
                          {"parameters_after", l.parameters_after},
                          {"heads", l.heads},
                          {"heads_kept", l.heads_kept},
                          {"ffn_neurons", l.neurons},
                          {"ffn_neurons_kept", l.neurons_kept}});
    before += l.parameters_before;
    after += l.parameters_after;
  }
  Json files = Json::object();
  for (const auto& [name, bytes] : exported_files) {
    files[name] = {{"bytes", bytes}};
    if (bytes > 0 && fp32_checkpoint_bytes > 0)
      files[name]["compression_rate"] = static_cast<double>(fp32_checkpoint_bytes) / static_cast<double>(bytes);
  }
  Json out = {{"fp32_checkpoint_bytes", fp32_checkpoint_bytes},
              {"exported_files", files},
              {"layers", layer_list},
              {"encoder_linear_parameters_before", before},
              {"encoder_linear_parameters_after", after},
              {"eval_metrics", eval_metrics}};
  if (!sparsity.empty()) {
    out["final_linear_layer_sparsity"] = sparsity.back().linear_layer_sparsity;
    out["final_model_sparsity"] = sparsity.back().model_sparsity;
  }
  if (warmup_start_step) out["warmup_steps"] = {*warmup_start_step, *warmup_end_step};
  return out;
}

ReportData gather_report_data(const std::string& output_dir) {
  const fs::path dir(output_dir);
  JPQD_CHECK(is_directory(output_dir), IoError, output_dir, ": not a training output directory");
  const auto state_path = dir / "trainer_state.json";
  JPQD_CHECK(file_exists(state_path.string()), IoError, output_dir,
             ": no trainer_state.json (is this the --output_dir of a jpqd training run?)");
  ReportData data;
  const Json state = read_json_file(state_path.string());
  for (const auto& entry : state.value("log_history", Json::array())) {
    if (!entry.contains(std::string(kPrefix) + "linear_layer_sparsity")) continue;
    const int64_t step = entry.value("step", int64_t{0});
    // An epoch that ends on a logging step logs the same statistics twice.
    if (!data.sparsity.empty() && data.sparsity.back().step == step) continue;
    data.sparsity.push_back({step, entry[std::string(kPrefix) + "linear_layer_sparsity"].get<double>(),
                             entry.value(std::string(kPrefix) + "model_sparsity", 0.0)});
  }
  read_warmup(dir, state, data);
  if (auto summary = read_if_present(dir / "structured_sparsity.json")) {
    for (const auto& l : (*summary)["layers"]) {
      LayerRow row;
      row.layer = l.value("layer", int64_t{0});
      row.parameters_before = l.value("parameters_before", int64_t{0});
      row.parameters_after = l.value("parameters_after", int64_t{0});
      if (l.contains("attention")) {
        row.heads = l["attention"].value("num_heads", int64_t{0});
        row.heads_kept = l["attention"].value("num_heads_kept", int64_t{0});
      }
      if (l.contains("ffn")) {
        row.neurons = l["ffn"].value("intermediate_size", int64_t{0});
        row.neurons_kept = l["ffn"].value("neurons_kept", int64_t{0});
      }
      data.layers.push_back(row);
    }
  }
  if (file_exists((dir / "model.safetensors").string()))
    data.fp32_checkpoint_bytes = static_cast<int64_t>(fs::file_size(dir / "model.safetensors"));
  for (const char* name : {"model.jpqd", "model.onnx"})
    if (file_exists((dir / name).string()))
      data.exported_files.emplace_back(name, static_cast<int64_t>(fs::file_size(dir / name)));
  if (auto eval = read_if_present(dir / "eval_results.json")) data.eval_metrics = *eval;
  return data;
}

}  // namespace jpqd::exporter
