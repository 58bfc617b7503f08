#include "compression/config/compression_config.h"

#include "common/error.h"
#include "compression/config/algorithm_keys.h"

namespace jpqd::compression {

namespace {

// Keys that NNCFConfig / Optimum Intel's OVConfig (openvino_config.json) write next to "compression".
// Apart from compression_lr_multiplier they describe the export or the run, not the algorithms, so they
// are accepted and not used here.
const std::set<std::string> kWrapperKeys = {"compression",     "input_info",           "target_device",
                                            "save_onnx_model", "optimum_version",      "transformers_version",
                                            "log_dir",         "dtype",                "compression_lr_multiplier"};

// NNCF's top-level compression_lr_multiplier applies to every algorithm that does not set its own
// (NNCFConfig.get_redefinable_global_param_value_for_algo).
void apply_top_level_lr_multiplier(std::optional<double> m, CompressionConfig& config) {
  if (!m) return;
  if (config.movement_sparsity && !config.movement_sparsity->compression_lr_multiplier)
    config.movement_sparsity->compression_lr_multiplier = m;
  if (config.quantization && !config.quantization->compression_lr_multiplier)
    config.quantization->compression_lr_multiplier = m;
}

void check_wrapper_values(const Json& json, const std::string& where) {
  if (json.contains("target_device")) {
    const std::string device = get_string(json, "target_device", where);
    // jpqd deploys on CPUs; NNCF's "ANY" resolves to the CPU hardware config as well.
    JPQD_CHECK(device == "ANY" || device == "CPU", InvalidArgument, where, ".target_device: \"", device,
               "\" is not supported (jpqd targets CPUs: use \"ANY\" or \"CPU\")");
  }
  if (json.contains("save_onnx_model")) get_bool(json, "save_onnx_model", where);
  if (json.contains("input_info")) {
    const Json& info = json["input_info"];
    JPQD_CHECK(info.is_null() || info.is_array() || info.is_object(), InvalidArgument, where,
               ".input_info: expected a list or an object, got ", info.dump());
  }
}

void add_algorithm(const Json& json, const std::string& where, CompressionConfig& config) {
  JPQD_CHECK(json.is_object(), InvalidArgument, where, ": expected an algorithm object, got ", json.dump());
  const std::string algorithm = get_string(json, "algorithm", where);
  if (algorithm == "movement_sparsity") {
    JPQD_CHECK(!config.movement_sparsity, InvalidArgument, where, ".algorithm: \"movement_sparsity\" given twice");
    config.movement_sparsity = MovementSparsityConfig::parse(json, where);
  } else if (algorithm == "quantization") {
    JPQD_CHECK(!config.quantization, InvalidArgument, where, ".algorithm: \"quantization\" given twice");
    config.quantization = QuantizationConfig::parse(json, where);
  } else {
    throw InvalidArgument(str_cat(where, ".algorithm: unknown compression algorithm \"", algorithm,
                                  "\" (supported: movement_sparsity, quantization)"));
  }
}

void add_algorithms(const Json& json, const std::string& where, CompressionConfig& config) {
  if (json.is_array()) {
    for (size_t i = 0; i < json.size(); ++i) add_algorithm(json[i], str_cat(where, "[", i, "]"), config);
  } else {
    add_algorithm(json, where, config);
  }
}

}  // namespace

CompressionConfig CompressionConfig::parse(const Json& json, const std::string& where) {
  CompressionConfig config;
  config.original = json;
  if (json.is_object() && !json.contains("algorithm")) {
    // NNCF's builders read validate_scopes from the algorithm's own section only.
    reject_misplaced_key(json, "validate_scopes", where, "each algorithm's section");
    reject_unknown_keys(json, kWrapperKeys, where);
    check_wrapper_values(json, where);
    JPQD_CHECK(json.contains("compression"), InvalidArgument, where,
               ": expected an algorithm object (with \"algorithm\"), a list of them, or an object with a "
               "\"compression\" key");
    add_algorithms(json["compression"], where + ".compression", config);
    apply_top_level_lr_multiplier(parse_lr_multiplier(json, where), config);
  } else {
    JPQD_CHECK(json.is_object() || json.is_array(), InvalidArgument, where,
               ": expected an algorithm object, a list of them, or an object with a \"compression\" key, got ",
               json.dump());
    add_algorithms(json, where, config);
  }
  return config;
}

CompressionConfig CompressionConfig::from_file(const std::string& path) { return parse(read_json_file(path), path); }

}  // namespace jpqd::compression
