// tokenizer_config.json inputs that reached undefined behaviour (found while fuzzing the config readers;
// fuzz/tokenizer_config_fuzzer.cc). Under scripts/sanitize.sh, UBSan fails these tests if it comes back.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "common/error.h"
#include "common/file_io.h"
#include "text/bert_tokenizer.h"

namespace jpqd::text {
namespace {

namespace fs = std::filesystem;

std::string tokenizer_dir_with_config(const std::string& config) {
  const fs::path dir = fs::temp_directory_path() / ("jpqd_tok_regression_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_file_atomically((dir / "vocab.txt").string(), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n");
  write_file_atomically((dir / "tokenizer_config.json").string(), config);
  return dir.string();
}

// model_max_length -1e300 used to be cast to int64 (undefined) before the "must be positive" check.
TEST(BertTokenizerFilesRegression, HugeNegativeModelMaxLengthIsRejected) {
  const std::string dir = tokenizer_dir_with_config("{\"model_max_length\": -1e300}");
  try {
    BertTokenizer::from_directory(dir);
    FAIL() << "accepted model_max_length -1e300";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("model_max_length: must be positive"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace jpqd::text
