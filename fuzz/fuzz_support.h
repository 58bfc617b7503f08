// Shared plumbing of the libFuzzer targets (docs/fuzzing.md).
//
// Readers that only take a path get the input through a scratch file in a per-process directory on
// /dev/shm (RAM, so an execution costs no disk I/O), removed when the fuzzer exits.
// A target catches jpqd::Error only: that is how bad input must be rejected. Any other exception
// escapes, std::terminate aborts, and libFuzzer records the input as a crash.
// Properties the parsers promise (offsets inside the text, ...) are checked with JPQD_FUZZ_ASSERT,
// which aborts so that a wrong answer is a finding just like an out-of-bounds read.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#define JPQD_FUZZ_ASSERT(cond)                                                     \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                \
    }                                                                              \
  } while (0)

namespace jpqd::fuzz {

// The process' scratch directory ("/dev/shm/jpqd-fuzz-XXXXXX", or under $TMPDIR without /dev/shm).
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    const char* base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    std::string pattern = std::string(base) + "/jpqd-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    static std::string removed;
    removed = pattern;
    std::atexit([] { std::system(("rm -rf '" + removed + "'").c_str()); });
    return pattern;
  }();
  return dir;
}

// Writes `size` bytes to scratch_dir()/name (replacing it) and returns the path.
inline std::string write_scratch(const std::string& name, const void* data, size_t size) {
  const std::string path = scratch_dir() + "/" + name;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

inline std::string write_scratch(const std::string& name, const std::string& bytes) {
  return write_scratch(name, bytes.data(), bytes.size());
}

inline void remove_scratch(const std::string& name) { std::remove((scratch_dir() + "/" + name).c_str()); }

// The repository (for data/vocab/...): compiled in, $JPQD_SOURCE_DIR overrides.
inline std::string source_dir() {
  const char* env = getenv("JPQD_SOURCE_DIR");
  return env ? env : JPQD_SOURCE_DIR;
}

// Consumes input bytes front to back for options; 0 once exhausted.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::string rest() {
    std::string s(reinterpret_cast<const char*>(data_ + pos_), size_ - pos_);
    pos_ = size_;
    return s;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace jpqd::fuzz
