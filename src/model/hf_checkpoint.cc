#include "model/hf_checkpoint.h"

#include <filesystem>
#include <map>
#include <set>

#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "model/torch_bin.h"

namespace jpqd::model {

namespace fs = std::filesystem;

namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + "]";
}

std::string dtype_name(torch::Dtype dtype) {
  if (dtype == torch::kFloat32) return "float32";
  if (dtype == torch::kFloat16) return "float16";
  if (dtype == torch::kBFloat16) return "bfloat16";
  JPQD_CHECK(false, InvalidArgument, "save_pretrained: dtype ", dtype, " is not float32, float16 or bfloat16");
  return "";
}

// A checkpoint of which not one tensor belongs to the model's base encoder, while some belong to another
// family's, was saved by another family: loading it would leave the whole encoder random.
void check_family_of_keys(const architecture::Architecture& arch, const NamedTensors& tensors,
                          const std::map<std::string, std::pair<std::string, torch::Tensor>>& chosen,
                          const std::string& source) {
  for (const auto& [name, entry] : chosen)
    if (arch.owns_key(name)) return;
  for (const auto& [key, tensor] : tensors)
    for (const architecture::Architecture* other : architecture::all_architectures())
      if (other->base_prefix != arch.base_prefix && other->owns_key(key) && !arch.owns_key(key))
        throw FormatError(str_cat(source, ": tensor ", key, " belongs to a ", other->model_type,
                                  " checkpoint, but config.json says model_type \"", arch.model_type, "\""));
}

}  // namespace

NamedTensors read_checkpoint_tensors(const std::string& dir, std::string* source) {
  const fs::path d(dir);
  for (const char* name : {"model.safetensors", "model.safetensors.index.json", "pytorch_model.bin"}) {
    const std::string path = (d / name).string();
    if (!file_exists(path)) continue;
    if (source) *source = path;
    if (std::string(name) == "model.safetensors") return read_safetensors(path);
    if (std::string(name) == "model.safetensors.index.json") return read_sharded_safetensors(path);
    return read_torch_state_dict(path);
  }
  JPQD_CHECK(!file_exists((d / "pytorch_model.bin.index.json").string()), FormatError, dir,
             ": sharded pytorch_model.bin checkpoints are not supported; convert them to safetensors");
  JPQD_CHECK(false, IoError, dir, ": no model weights (model.safetensors, model.safetensors.index.json or "
                                  "pytorch_model.bin)");
  return {};
}

LoadReport load_state(BertImpl& model, const NamedTensors& tensors, const std::string& source) {
  LoadReport report;
  report.source = source;
  const architecture::Architecture& arch = model.architecture();
  const auto table = arch.tensors(model.config().shape(), model.head());
  std::map<std::string, const architecture::TensorSpec*> specs;
  for (const auto& s : table) specs[s.name] = &s;

  // Resolve names first: a direct tensor always wins over a tied copy of it.
  std::map<std::string, std::pair<std::string, torch::Tensor>> chosen;  // our name -> (checkpoint key, tensor)
  std::map<std::string, std::pair<std::string, torch::Tensor>> tied;
  for (const auto& [key, tensor] : tensors) {
    const architecture::CheckpointKey k = arch.canonical_key(key, model.head());
    if (k.name.empty()) continue;
    if (!specs.count(k.name)) {
      report.unexpected.push_back(key);
      continue;
    }
    auto& target = k.tied ? tied : chosen;
    JPQD_CHECK(!target.count(k.name), FormatError, source, ": tensors ", target[k.name].first, " and ", key,
               " both provide ", k.name);
    target[k.name] = {key, tensor};
  }
  for (auto& [name, entry] : tied)
    if (!chosen.count(name)) chosen[name] = entry;
  check_family_of_keys(arch, tensors, chosen, source);

  auto params = model.named_parameters(true);
  torch::NoGradGuard no_grad;
  for (const auto& spec : table) {
    auto it = chosen.find(spec.name);
    if (it == chosen.end()) {
      report.missing.push_back(spec.name);
      continue;
    }
    const auto& [key, tensor] = it->second;
    JPQD_CHECK(tensor.sizes() == torch::IntArrayRef(spec.shape), FormatError, source, ": tensor ", key, " has shape ",
               tensor.sizes(), " but config.json implies ", torch::IntArrayRef(spec.shape), " for ", spec.name);
    JPQD_CHECK(tensor.is_floating_point(), FormatError, source, ": tensor ", key, " has dtype ", tensor.scalar_type(),
               ", not a floating-point type");
    torch::Tensor* p = params.find(spec.name);
    TORCH_CHECK(p != nullptr, "model has no parameter ", spec.name);
    p->copy_(tensor.to(p->dtype()));
  }
  const std::string head_class = arch.head_class(model.head());
  if (!report.unexpected.empty())
    log_warning("Some weights of the model checkpoint at ", source, " were not used when initializing ", head_class,
                ": ", join(report.unexpected));
  if (!report.missing.empty())
    log_warning("Some weights of ", head_class, " were not initialized from the model checkpoint at ", source,
                " and are newly initialized: ", join(report.missing),
                " - You should probably TRAIN this model on a down-stream task to be able to use it for predictions "
                "and inference.");
  return report;
}

Bert load_pretrained(const std::string& dir, TaskHead head, std::optional<int64_t> num_labels, LoadReport* report) {
  JPQD_CHECK(is_directory(dir), IoError, dir, ": checkpoint directory not found");
  const std::string config_path = (fs::path(dir) / "config.json").string();
  JPQD_CHECK(file_exists(config_path), IoError, dir, ": no config.json");
  BertConfig config = BertConfig::from_file(config_path);
  if (num_labels) config.set_num_labels(*num_labels);
  std::string source;
  const NamedTensors tensors = read_checkpoint_tensors(dir, &source);
  Bert model(config, head);
  LoadReport r = load_state(*model, tensors, source);
  if (report) *report = std::move(r);
  model->eval();
  return model;
}

void save_pretrained(BertImpl& model, const std::string& dir, torch::Dtype dtype) {
  ensure_writable_directory(dir);
  BertConfig config = model.config();
  config.architectures = {task_head_architecture(model.head(), config)};
  config.torch_dtype = dtype_name(dtype);
  auto params = model.named_parameters(true);
  NamedTensors tensors;
  for (const auto& name : model.hf_parameter_names()) {
    torch::Tensor* p = params.find(name);
    TORCH_CHECK(p != nullptr, "model has no parameter ", name);
    tensors.emplace_back(name, *p);
  }
  SafetensorsWriteOptions options;
  options.float_dtype = dtype;
  // Weights first, config last: a directory with a config.json is one whose weights are complete.
  write_safetensors((fs::path(dir) / "model.safetensors").string(), tensors, options);
  write_file_atomically((fs::path(dir) / "config.json").string(), config.to_json().dump(2) + "\n");
}

}  // namespace jpqd::model
