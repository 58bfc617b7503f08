// jpqd's exceptions: everything the public API throws because of outside input (a flag, a file, a text) is a
// jpqd::Error whose what() is one line naming the offending file, key or value. The `jpqd` binary prints
// that line after "jpqd: error: " and exits with exit_code(); the Python package raises it under the same
// class names (jpqd.InvalidArgument, ...). After any of these, the object that threw stays usable.
//
// Self-contained; part of both jpqd::runtime and jpqd::training.
#pragma once

#include <stdexcept>
#include <string>

namespace jpqd {

// Exit codes of the `jpqd` binary, shared by every subcommand (docs/ERRORS.md).
enum class ExitCode : int {
  kOk = 0,
  kInternal = 1,         // a bug: an invariant of our own code broke
  kInvalidArgument = 2,  // bad flag, config key or value
  kIoError = 3,          // missing, unreadable or unwritable file
  kFormatError = 4,      // a file exists but its content is corrupt or inconsistent
  kNumericalError = 5,   // NaN/Inf during training
  kInterrupted = 130,    // SIGINT/SIGTERM after a clean checkpoint
};

// Base class: catch this to handle every jpqd failure; exit_code() tells them apart.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ExitCode code = ExitCode::kInternal)
      : std::runtime_error(message), code_(code) {}
  ExitCode exit_code() const { return code_; }

 private:
  ExitCode code_;
};

// A bad argument, flag, config value or input (an empty batch, a token id outside the vocabulary).
class InvalidArgument : public Error {
 public:
  explicit InvalidArgument(const std::string& m) : Error(m, ExitCode::kInvalidArgument) {}
};

// A file that is missing, unreadable or unwritable.
class IoError : public Error {
 public:
  explicit IoError(const std::string& m) : Error(m, ExitCode::kIoError) {}
};

// A file that exists but whose content is corrupt or inconsistent (a truncated model.jpqd, a bad checksum).
class FormatError : public Error {
 public:
  explicit FormatError(const std::string& m) : Error(m, ExitCode::kFormatError) {}
};

// NaN or Inf where training cannot go on.
class NumericalError : public Error {
 public:
  explicit NumericalError(const std::string& m) : Error(m, ExitCode::kNumericalError) {}
};

}  // namespace jpqd
