#include "common/file_io.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "common/checksum.h"
#include "common/error.h"
#include "common/json_util.h"

namespace jpqd {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("jpqd_test_" + name + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(AtomicFile, CommitPublishesUnderTheFinalNameOnly) {
  auto dir = fresh_dir("atomic");
  const auto path = (dir / "out.bin").string();
  {
    AtomicFile file(path);
    file.write("hello");
    EXPECT_FALSE(fs::exists(path)) << "visible before commit";
    file.commit();
  }
  EXPECT_EQ(read_text_file(path), "hello");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1) << "temporary file left";
}

TEST(AtomicFile, AbandonedWriteLeavesNothing) {
  auto dir = fresh_dir("abandon");
  const auto path = (dir / "out.bin").string();
  write_file_atomically(path, "old");
  {
    AtomicFile file(path);
    file.write("partial");
  }
  EXPECT_EQ(read_text_file(path), "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1);
}

TEST(FileIo, MissingFileNamesThePath) {
  try {
    read_text_file("/nonexistent/jpqd/file.txt");
    FAIL() << "no error";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/jpqd/file.txt"), std::string::npos);
    EXPECT_EQ(e.exit_code(), ExitCode::kIoError);
  }
}

TEST(FileIo, UnwritableDirectoryFailsUpFront) {
  EXPECT_THROW(ensure_writable_directory("/proc/jpqd_cannot_exist"), IoError);
}

size_t entries(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

std::string error_of(const std::string& dir) {
  try {
    check_writable_directory(dir);
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}

TEST(CheckWritableDirectory, AcceptsExistingAndNotYetCreatedDirectoriesAndCreatesNothing) {
  auto dir = fresh_dir("probe_ok");
  EXPECT_EQ(error_of(dir.string()), "");
  EXPECT_EQ(error_of((dir / "new" / "deeper").string()), "");
  EXPECT_FALSE(fs::exists(dir / "new")) << "the check must not create the directory";
  EXPECT_EQ(entries(dir), 0u) << "the probe file was left behind";
}

TEST(CheckWritableDirectory, RefusesAPathBelowOrAtARegularFile) {
  auto dir = fresh_dir("probe_file");
  write_file_atomically((dir / "a_file").string(), "x");
  const auto below = (dir / "a_file" / "out").string();
  EXPECT_EQ(error_of(below), below + ": cannot create directory (Not a directory)");
  const auto at = (dir / "a_file").string();
  EXPECT_EQ(error_of(at), at + ": exists and is not a directory");
  EXPECT_EQ(entries(dir), 1u);
}

TEST(CheckWritableDirectory, RefusesAReadOnlyDirectoryAndWhatWouldGoBelowIt) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into mode 0555 directories; run as another user to test this";
  auto dir = fresh_dir("probe_ro");
  fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                           fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  const std::string at = error_of(dir.string());
  const std::string below = error_of((dir / "out").string());
  fs::permissions(dir, fs::perms::owner_all);
  EXPECT_EQ(at, dir.string() + ": directory is not writable (Permission denied)");
  EXPECT_EQ(below, (dir / "out").string() + ": cannot create directory (" + dir.string() +
                       " is not writable: Permission denied)");
  EXPECT_EQ(entries(dir), 0u);
}

TEST(Checksum, Fnv1a64KnownVectors) {
  // Published FNV-1a 64 test vectors.
  EXPECT_EQ(fnv1a64("", 0), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a", 1), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar", 6), 0x85944171f73967e8ULL);
  EXPECT_EQ(to_hex(0xabcULL), "0000000000000abc");
}

TEST(Json, RejectsUnknownKeysNamingThem) {
  Json j = Json::parse(R"({"warmup_start_epoch": 1, "warmup_end_epch": 2})");
  try {
    reject_unknown_keys(j, {"warmup_start_epoch", "warmup_end_epoch"}, "params");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("warmup_end_epch"), std::string::npos);
  }
}

TEST(Json, DeepNestingIsRejected) {
  std::string deep(1000, '[');
  deep += std::string(1000, ']');
  EXPECT_THROW(parse_json(deep, "deep.json"), FormatError);
  EXPECT_NO_THROW(parse_json("[[[1]]]", "shallow.json"));
}

TEST(Json, InvalidJsonNamesTheFile) {
  try {
    parse_json("{\"a\": ", "config.json");
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("config.json"), std::string::npos);
  }
}

TEST(Json, TypedGettersExplainWrongTypes) {
  Json j = Json::parse(R"({"n": "three", "i": 2.5, "b": 1})");
  EXPECT_THROW(get_number(j, "n", "x"), InvalidArgument);
  EXPECT_THROW(get_int(j, "i", "x"), InvalidArgument);
  EXPECT_THROW(get_bool(j, "b", "x"), InvalidArgument);
  EXPECT_THROW(get_string(j, "missing", "x"), InvalidArgument);
}

}  // namespace
}  // namespace jpqd
