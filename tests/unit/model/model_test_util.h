// Shared helpers of the model tests: the independent Python reference (tests/parity/bert_reference.py)
// generated once per test binary into a temporary directory, JSON -> tensor, scratch directories.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "common/checksum.h"
#include "common/file_io.h"
#include "common/json_util.h"
#include "model/bert_config.h"

namespace jpqd::model::testing {

// A BERT small enough for any test: vocabulary 50, hidden 16, 2 layers of 2 heads, FFN 24, 32 positions.
inline BertConfig tiny_config() {
  BertConfig c;
  c.vocab_size = 50;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.intermediate_size = 24;
  c.max_position_embeddings = 32;
  return c;
}

inline std::string scratch_dir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("jpqd_model_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// Removes this process's scratch directories when the tests end.
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(
        std::filesystem::temp_directory_path() / ("jpqd_model_test_" + std::to_string(::getpid())), ec);
  }
};
inline const bool kScratchCleanupRegistered = (::testing::AddGlobalTestEnvironment(new ScratchCleanup), true);

// Debian's python3 with python3-torch ($JPQD_PYTHON overrides).
inline std::string python() {
  if (const char* p = std::getenv("JPQD_PYTHON")) return p;
  return file_exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

// Runs a reference generator (tests/parity/<script>) once per version of the script: ctest starts one process
// per test, so the result is kept in a directory named after the script's checksum, published by an atomic
// rename.
inline std::string generated_reference_dir(const std::string& script_name, const std::string& tag) {
  namespace fs = std::filesystem;
  const std::string script = std::string(JPQD_SOURCE_DIR) + "/tests/parity/" + script_name;
  const fs::path final_dir = fs::temp_directory_path() / ("jpqd_" + tag + "_" + to_hex(fnv1a64_file(script)));
  if (fs::exists(final_dir / "done")) return final_dir.string();
  const std::string tmp = scratch_dir(tag);
  const std::string cmd = python() + " " + script + " " + tmp;
  if (std::system(cmd.c_str()) != 0)
    throw std::runtime_error("reference generator failed (needs Debian's python3-torch): " + cmd);
  write_file_atomically(tmp + "/done", "");
  std::error_code ec;
  fs::rename(tmp, final_dir, ec);  // another process may have won the race: its copy is identical
  return fs::exists(final_dir / "done") ? final_dir.string() : tmp;
}

inline const std::string& reference_dir() {
  static const std::string dir = generated_reference_dir("bert_reference.py", "bert_reference");
  return dir;
}

inline std::string reference_case(const std::string& name) { return reference_dir() + "/" + name; }
inline Json reference_expected(const std::string& name) { return read_json_file(reference_case(name) + "/expected.json"); }

// Nested JSON lists of numbers -> tensor of `dtype`.
inline torch::Tensor tensor_from_json(const Json& j, torch::Dtype dtype = torch::kFloat32) {
  std::vector<int64_t> shape;
  const Json* level = &j;
  while (level->is_array()) {
    shape.push_back(static_cast<int64_t>(level->size()));
    if (level->empty()) break;
    level = &(*level)[0];
  }
  std::vector<double> flat;
  std::function<void(const Json&)> walk = [&](const Json& v) {
    if (v.is_array())
      for (const auto& e : v) walk(e);
    else
      flat.push_back(v.get<double>());
  };
  walk(j);
  return torch::tensor(flat, torch::kFloat64).reshape(shape).to(dtype);
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

}  // namespace jpqd::model::testing
