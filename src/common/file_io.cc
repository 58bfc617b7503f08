#include "common/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/error.h"

namespace jpqd {
namespace fs = std::filesystem;

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  JPQD_CHECK(in.good(), IoError, path, ": cannot open (", std::strerror(errno), ")");
  std::ostringstream out;
  out << in.rdbuf();
  JPQD_CHECK(!in.bad(), IoError, path, ": read failed");
  return out.str();
}

std::vector<char> read_binary_file(const std::string& path) {
  std::string s = read_text_file(path);
  return std::vector<char>(s.begin(), s.end());
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

bool is_directory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

namespace {

void fsync_directory_of(const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string temporary_name_for(const std::string& final_path) {
  std::random_device rd;
  fs::path p(final_path);
  return (p.parent_path() / ("." + p.filename().string() + ".tmp" + std::to_string(rd()))).string();
}

}  // namespace

AtomicFile::AtomicFile(std::string final_path)
    : final_path_(std::move(final_path)), temp_path_(temporary_name_for(final_path_)) {
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  JPQD_CHECK(fd_ >= 0, IoError, final_path_, ": cannot write (", std::strerror(errno), ")");
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicFile::write(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    JPQD_CHECK(n > 0, IoError, final_path_, ": write failed (", std::strerror(errno), ")");
    p += n;
    size -= static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
  }
}

void AtomicFile::commit() {
  JPQD_CHECK(::fsync(fd_) == 0, IoError, final_path_, ": fsync failed (", std::strerror(errno), ")");
  ::close(fd_);
  fd_ = -1;
  JPQD_CHECK(::rename(temp_path_.c_str(), final_path_.c_str()) == 0, IoError, final_path_,
             ": rename failed (", std::strerror(errno), ")");
  committed_ = true;
  fsync_directory_of(final_path_);
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

void ensure_writable_directory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  JPQD_CHECK(!ec, IoError, dir, ": cannot create directory (", ec.message(), ")");
  JPQD_CHECK(::access(dir.c_str(), W_OK) == 0, IoError, dir, ": directory is not writable");
}

void check_writable_directory(const std::string& dir) {
  const fs::path target = dir.empty() ? fs::path(".") : fs::path(dir);
  fs::path existing = target;
  std::error_code ec;
  while (!fs::exists(existing, ec)) existing = existing.has_parent_path() ? existing.parent_path() : fs::path(".");
  const bool is_target = existing == target;
  if (!fs::is_directory(existing, ec)) {
    JPQD_CHECK(!is_target, IoError, dir, ": exists and is not a directory");
    // create_directories' own words, so the two checks report this case alike.
    throw IoError(str_cat(dir, ": cannot create directory (Not a directory)"));
  }
  // A real file rather than access(2): it also sees read-only mounts, ACLs and the effective user.
  const std::string probe = temporary_name_for((existing / "write_probe").string());
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  const std::string reason = fd < 0 ? std::strerror(errno) : "";
  if (fd >= 0) {
    ::close(fd);
    ::unlink(probe.c_str());
    return;
  }
  JPQD_CHECK(!is_target, IoError, dir, ": directory is not writable (", reason, ")");
  throw IoError(str_cat(dir, ": cannot create directory (", existing.string(), " is not writable: ", reason, ")"));
}

}  // namespace jpqd
