// Helpers shared by the data tests: the repository's data/ folder and scratch files.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <functional>
#include <string>

#include "common/error.h"

namespace jpqd::data::testing {

inline std::string source_dir() { return JPQD_SOURCE_DIR; }
inline std::string glue_dir(const std::string& task_folder) { return source_dir() + "/data/glue/" + task_folder; }

// A fresh directory under $TMPDIR (or /tmp) per call; files stay for post-mortem inspection.
inline std::string make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/jpqd_data_test_XXXXXX";
  char* dir = mkdtemp(tmpl.data());
  if (dir == nullptr) throw std::runtime_error("mkdtemp failed");
  return dir;
}

inline std::string write_file(const std::string& dir, const std::string& name, const std::string& content) {
  const std::string path = dir + "/" + name;
  std::ofstream out(path, std::ios::binary);
  out << content;
  return path;
}

// Runs `fn`, expects it to throw ErrorType, and returns the message so tests can check that it names
// the file, line and value.
template <typename ErrorType>
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ErrorType& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception type: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception thrown";
  return "";
}

}  // namespace jpqd::data::testing

// gtest only (no gmock in the test link): substring check with a readable failure.
#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << "\"" << (haystack) << "\" lacks \"" << (needle) << "\""
