// Typed errors for everything that can go wrong because of outside input.
//
// The CLI catches jpqd::Error in main(), prints what() as one line and exits with exit_code().
// Messages name the offending file, key or value, so a user can fix the input without a debugger.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace jpqd {

// Exit codes of the `jpqd` binary, shared by every subcommand (documented in docs/ERRORS.md).
enum class ExitCode : int {
  kOk = 0,
  kInternal = 1,         // a bug: an invariant of our own code broke
  kInvalidArgument = 2,  // bad flag, config key or value
  kIoError = 3,          // missing, unreadable or unwritable file
  kFormatError = 4,      // a file exists but its content is corrupt or inconsistent
  kNumericalError = 5,   // NaN/Inf during training
  kInterrupted = 130,    // SIGINT/SIGTERM after a clean checkpoint
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ExitCode code = ExitCode::kInternal)
      : std::runtime_error(message), code_(code) {}
  ExitCode exit_code() const { return code_; }

 private:
  ExitCode code_;
};

class InvalidArgument : public Error {
 public:
  explicit InvalidArgument(const std::string& m) : Error(m, ExitCode::kInvalidArgument) {}
};

class IoError : public Error {
 public:
  explicit IoError(const std::string& m) : Error(m, ExitCode::kIoError) {}
};

class FormatError : public Error {
 public:
  explicit FormatError(const std::string& m) : Error(m, ExitCode::kFormatError) {}
};

class NumericalError : public Error {
 public:
  explicit NumericalError(const std::string& m) : Error(m, ExitCode::kNumericalError) {}
};

// Concatenates any streamable values: str_cat("tensor ", name, ": ", n, " bytes").
template <typename... Args>
std::string str_cat(Args&&... args) {
  std::ostringstream out;
  (out << ... << std::forward<Args>(args));
  return out.str();
}

}  // namespace jpqd

// Throws ErrorType(str_cat(...)) when cond is false. For outside input, never for our own invariants.
#define JPQD_CHECK(cond, ErrorType, ...)                    \
  do {                                                      \
    if (!(cond)) throw ErrorType(::jpqd::str_cat(__VA_ARGS__)); \
  } while (0)
