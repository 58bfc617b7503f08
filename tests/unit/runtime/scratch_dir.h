// Where runtime tests write the model files they make. ctest runs every test case as a process of its own,
// two at a time, so the directory is per process, and it goes when the process ends.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace jpqd::runtime {

inline std::string scratch_path(const std::string& name) {
  struct Dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("jpqd_runtime_test_" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Dir dir;
  return (dir.path / name).string();
}

}  // namespace jpqd::runtime
