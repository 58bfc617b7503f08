#include "training/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

#include "common/checksum.h"
#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "model/hf_checkpoint.h"
#include "model/safetensors.h"

namespace jpqd::training {

namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = "manifest.json";
constexpr const char* kCompressionState = "compression_state.safetensors";

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Tensors of the model that Hugging Face does not know: importance scores, masks, quantizer ranges.
std::vector<std::pair<std::string, torch::Tensor>> compression_tensors(model::BertImpl& model) {
  const auto hf = model.hf_parameter_names();
  const std::set<std::string> hf_names(hf.begin(), hf.end());
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : model.named_parameters(true))
    if (!hf_names.count(item.key())) out.emplace_back(item.key(), item.value().detach());
  for (const auto& item : model.named_buffers(true))
    if (!hf_names.count(item.key())) out.emplace_back(item.key(), item.value().detach());
  return out;
}

void write_manifest(const fs::path& dir) {
  Json files = Json::object();
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename() == kManifest) continue;
    files[entry.path().filename().string()] = {{"bytes", entry.file_size()},
                                               {"fnv1a64", to_hex(fnv1a64_file(entry.path().string()))}};
  }
  write_file_atomically((dir / kManifest).string(), Json{{"format", "jpqd-checkpoint-1"}, {"files", files}}.dump(2));
}

}  // namespace

void save_model_files(const std::string& dir, const CheckpointContents& c) {
  ensure_writable_directory(dir);
  model::save_pretrained(*c.model, dir);
  if (c.tokenizer) c.tokenizer->save(dir);
  const fs::path d(dir);
  auto tensors = compression_tensors(*c.model);
  if (!tensors.empty()) model::write_safetensors((d / kCompressionState).string(), tensors);
  if (!c.compression_config.is_null())
    write_file_atomically((d / "compression_config.json").string(), c.compression_config.dump(2));
  if (!c.training_args.is_null())
    write_file_atomically((d / "training_args.json").string(), c.training_args.dump(2));
}

void save_checkpoint(const std::string& dir, const CheckpointContents& c) {
  const fs::path final_dir(dir);
  std::random_device rd;
  const fs::path temp_dir = final_dir.parent_path() / ("." + final_dir.filename().string() + ".tmp" + std::to_string(rd()));
  try {
    save_model_files(temp_dir.string(), c);
    if (c.optimizer) {
      torch::serialize::OutputArchive archive;
      c.optimizer->save(archive);
      archive.save_to((temp_dir / "optimizer.pt").string());
      fsync_path(temp_dir / "optimizer.pt");
    }
    save_rng_state((temp_dir / "rng_state.pt").string());
    if (!c.trainer_state.is_null())
      write_file_atomically((temp_dir / "trainer_state.json").string(), c.trainer_state.dump(2));
    write_manifest(temp_dir);
    fsync_path(temp_dir);
    std::error_code ec;
    fs::remove_all(final_dir, ec);
    fs::rename(temp_dir, final_dir);
    fsync_path(final_dir.parent_path());
  } catch (...) {
    std::error_code ec;
    fs::remove_all(temp_dir, ec);
    throw;
  }
  log_info("Saved checkpoint ", dir);
}

void verify_checkpoint(const std::string& dir) {
  const fs::path d(dir);
  JPQD_CHECK(fs::is_directory(d), IoError, dir, ": checkpoint directory does not exist");
  const auto manifest_path = (d / kManifest).string();
  JPQD_CHECK(file_exists(manifest_path), FormatError, dir, ": incomplete checkpoint (no ", kManifest, ")");
  Json manifest = read_json_file(manifest_path);
  JPQD_CHECK(manifest.contains("files") && manifest["files"].is_object(), FormatError, manifest_path,
             ": no file list");
  for (const auto& item : manifest["files"].items()) {
    const auto path = (d / item.key()).string();
    JPQD_CHECK(file_exists(path), FormatError, dir, ": checkpoint file ", item.key(), " is missing");
    JPQD_CHECK(fs::file_size(path) == item.value().at("bytes").get<uint64_t>(), FormatError, path, ": size ",
               fs::file_size(path), " differs from the manifest's ", item.value().at("bytes").get<uint64_t>());
    JPQD_CHECK(to_hex(fnv1a64_file(path)) == item.value().at("fnv1a64").get<std::string>(), FormatError, path,
               ": checksum mismatch (the file is corrupt)");
  }
}

void load_compression_state(const std::string& dir, model::BertImpl& model) {
  const auto path = (fs::path(dir) / kCompressionState).string();
  auto expected = compression_tensors(model);
  if (expected.empty()) return;
  JPQD_CHECK(file_exists(path), FormatError, dir, ": the model has compression state but the checkpoint has no ",
             kCompressionState);
  auto saved = model::read_safetensors(path);
  std::map<std::string, torch::Tensor> by_name(saved.begin(), saved.end());
  torch::NoGradGuard no_grad;
  for (auto& [name, tensor] : expected) {
    auto it = by_name.find(name);
    JPQD_CHECK(it != by_name.end(), FormatError, path, ": missing compression tensor ", name);
    JPQD_CHECK(it->second.sizes() == tensor.sizes(), FormatError, path, ": ", name, " has shape ",
               it->second.sizes(), ", the model expects ", tensor.sizes());
    tensor.copy_(it->second);
  }
}

void load_optimizer_state(const std::string& dir, torch::optim::Optimizer& optimizer) {
  const auto path = (fs::path(dir) / "optimizer.pt").string();
  JPQD_CHECK(file_exists(path), FormatError, dir, ": no optimizer.pt to resume from");
  torch::serialize::InputArchive archive;
  archive.load_from(path);
  optimizer.load(archive);
}

void save_rng_state(const std::string& path) {
  auto generator = at::detail::getDefaultCPUGenerator();
  torch::Tensor state;
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    state = generator.get_state();
  }
  torch::save(state, path);
  fsync_path(path);
}

void load_rng_state(const std::string& path) {
  JPQD_CHECK(file_exists(path), FormatError, path, ": missing generator state");
  torch::Tensor state;
  torch::load(state, path);
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

std::vector<std::string> list_checkpoints(const std::string& output_dir) {
  std::vector<std::pair<int64_t, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(output_dir, ec)) {
    const auto name = entry.path().filename().string();
    if (!entry.is_directory() || name.rfind("checkpoint-", 0) != 0) continue;
    const auto digits = name.substr(11);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit)) continue;
    found.emplace_back(std::stoll(digits), entry.path().string());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(f.second);
  return out;
}

std::optional<std::string> newest_valid_checkpoint(const std::string& output_dir) {
  auto all = list_checkpoints(output_dir);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    try {
      verify_checkpoint(*it);
      return *it;
    } catch (const Error& e) {
      log_warning("skipping checkpoint ", *it, ": ", e.what());
    }
  }
  return std::nullopt;
}

void rotate_checkpoints(const std::string& output_dir, int64_t limit) {
  if (limit <= 0) return;
  auto all = list_checkpoints(output_dir);
  for (size_t i = 0; i + static_cast<size_t>(limit) < all.size(); ++i) {
    std::error_code ec;
    fs::remove_all(all[i], ec);
    log_info("Deleting older checkpoint ", all[i], " due to save_total_limit");
  }
}

void remove_stale_checkpoint_temporaries(const std::string& output_dir) {
  std::error_code ec;
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(output_dir, ec)) {
    const auto name = entry.path().filename().string();
    const auto tmp = name.rfind(".tmp");
    if (name.size() < 2 || name[0] != '.' || tmp == std::string::npos || tmp + 4 == name.size()) continue;
    if (std::all_of(name.begin() + static_cast<std::ptrdiff_t>(tmp + 4), name.end(), ::isdigit))
      stale.push_back(entry.path());
  }
  for (const auto& path : stale) {
    fs::remove_all(path, ec);
    log_info("Removed ", path.string(), ", left half-written by an interrupted run");
  }
}

}  // namespace jpqd::training
