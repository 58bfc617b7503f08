// Whole-file reads and crash-safe writes.
//
// Every output jpqd produces goes through AtomicFile: it is written under a temporary name in the
// destination directory, fsync'ed, then renamed, so a crash or kill never leaves a truncated file
// under the final name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jpqd {

// Reads a whole file; throws IoError naming the path when it is missing or unreadable.
std::string read_text_file(const std::string& path);
std::vector<char> read_binary_file(const std::string& path);

bool file_exists(const std::string& path);
bool is_directory(const std::string& path);

// Writes `bytes` to `path` atomically (temporary name, fsync, rename, fsync of the directory).
void write_file_atomically(const std::string& path, const std::string& bytes);

// Streaming variant for large outputs: write(), then commit(); destruction without commit()
// removes the temporary file.
class AtomicFile {
 public:
  explicit AtomicFile(std::string final_path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void write(const std::string& s) { write(s.data(), s.size()); }
  uint64_t bytes_written() const { return written_; }
  // For output another program writes (gnuplot's PNGs): it writes this path, then commit() publishes it.
  const std::string& temp_path() const { return temp_path_; }
  void commit();

 private:
  std::string final_path_;
  std::string temp_path_;
  int fd_ = -1;
  uint64_t written_ = 0;
  bool committed_ = false;
};

// Fails before any work starts when `dir` cannot be created or written to.
void ensure_writable_directory(const std::string& dir);

// The same check without creating `dir`: a file is created and removed in `dir`, or, when `dir` does not
// exist yet, in the nearest existing ancestor it would be created under. For commands that must fail
// before hours of loading but must not leave an empty directory behind when they fail later.
void check_writable_directory(const std::string& dir);

}  // namespace jpqd
