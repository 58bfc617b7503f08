// Checks of the runtime commands' (eval, benchmark) flags, run before any work so that a bad value
// fails at once and leaves nothing behind.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/error.h"

namespace jpqd::cli {

// More threads than this help on no CPU the runtime targets, while a count past what the process may
// create makes libgomp abort or std::thread throw mid-start: such values are typos, refused up front.
constexpr int kMaxThreads = 1024;

inline void check_thread_flag(const char* flag, int value) {
  JPQD_CHECK(value >= 0 && value <= kMaxThreads, InvalidArgument, flag, " ", value, " must be in [0, ", kMaxThreads,
             "] (0: from the number of cores)");
}

// An output file is written after the run; when one of two outputs could not be written, the other
// would be left behind alone, so both are checked before the run starts.
inline void check_output_file(const char* flag, const std::string& path) {
  if (path.empty()) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  JPQD_CHECK(!fs::is_directory(path, ec), IoError, flag, " ", path, ": is a directory");
  const fs::path parent = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  JPQD_CHECK(fs::is_directory(parent, ec), IoError, flag, " ", path, ": the directory ", parent.string(),
             " does not exist");
  JPQD_CHECK(::access(parent.c_str(), W_OK) == 0, IoError, flag, " ", path, ": the directory ", parent.string(),
             " is not writable");
}

}  // namespace jpqd::cli
