// Typed errors for everything that can go wrong because of outside input.
//
// The CLI catches jpqd::Error in main(), prints what() as one line and exits with exit_code().
// Messages name the offending file, key or value, so a user can fix the input without a debugger.
#pragma once

#include <sstream>
#include <string>
#include <utility>

// The exception classes are public API (include/jpqd/error.h); str_cat and JPQD_CHECK stay internal.
#include "jpqd/error.h"

namespace jpqd {

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
