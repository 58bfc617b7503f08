#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <unistd.h>

#include "common/error.h"
#include "common/file_io.h"
#include "common/json_util.h"
#include "test_vocabs.h"
#include "text/bert_tokenizer.h"

namespace jpqd::text {
namespace {

namespace fs = std::filesystem;
using testing::source_path;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("jpqd_tok_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

fs::path dir_with(const std::string& name, const std::string& vocab_source, const std::string& config) {
  const fs::path dir = fresh_dir(name);
  fs::copy_file(source_path(vocab_source), dir / "vocab.txt");
  if (!config.empty()) write_file_atomically((dir / "tokenizer_config.json").string(), config);
  return dir;
}

constexpr const char* kCasedVocab = "data/vocab/bert-base-cased/vocab.txt";
constexpr const char* kUncasedVocab = "data/vocab/bert-base-uncased/vocab.txt";

TEST(BertTokenizerFiles, DoLowerCaseComesFromTheConfig) {
  // A config as HF writes it for bert-base-cased, with keys we ignore.
  const auto dir = dir_with("cased", kCasedVocab,
                            R"({"do_lower_case": false, "model_max_length": 512, "tokenizer_class": "BertTokenizer",
                                "clean_up_tokenization_spaces": true, "unk_token": "[UNK]",
                                "mask_token": {"content": "[MASK]", "lstrip": false, "__type": "AddedToken"},
                                "added_tokens_decoder": {"100": {"content": "[UNK]", "special": true}}})");
  const BertTokenizer t = BertTokenizer::from_directory(dir.string());
  EXPECT_FALSE(t.options().do_lower_case);
  EXPECT_EQ(t.tokenize("Hello"), std::vector<std::string>{"Hello"});
}

TEST(BertTokenizerFiles, DefaultsWithoutConfigAndHugeMaxLength) {
  const BertTokenizer plain = BertTokenizer::from_directory(dir_with("plain", kUncasedVocab, "").string());
  EXPECT_TRUE(plain.options().do_lower_case);
  EXPECT_EQ(plain.options().model_max_length, 512);
  // HF's "no limit" is 1e30, beyond int64.
  const BertTokenizer huge = BertTokenizer::from_directory(
      dir_with("huge", kUncasedVocab, R"({"model_max_length": 1000000000000000019884624838656, "strip_accents": false})")
          .string());
  EXPECT_EQ(huge.options().model_max_length, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(huge.options().strip_accents, false);
}

TEST(BertTokenizerFiles, AcceptsThePathOfVocabTxt) {
  const auto dir = dir_with("file", kCasedVocab, R"({"do_lower_case": false})");
  const BertTokenizer t = BertTokenizer::from_directory((dir / "vocab.txt").string());
  EXPECT_FALSE(t.options().do_lower_case);
}

TEST(BertTokenizerFiles, SaveThenLoadRoundTrips) {
  TokenizerOptions options;
  options.do_lower_case = false;
  options.strip_accents = true;
  options.tokenize_chinese_chars = false;
  options.model_max_length = 128;
  const BertTokenizer original(testing::cased_vocab(), options);
  const fs::path dir = fresh_dir("save") / "nested";
  original.save(dir.string());

  EXPECT_EQ(read_text_file((dir / "vocab.txt").string()), read_text_file(source_path(kCasedVocab)));
  const Json config = read_json_file((dir / "tokenizer_config.json").string());
  EXPECT_EQ(config["tokenizer_class"], "BertTokenizer");
  EXPECT_EQ(config["do_lower_case"], false);
  EXPECT_EQ(config["model_max_length"], 128);
  const Json special = read_json_file((dir / "special_tokens_map.json").string());
  EXPECT_EQ(special["mask_token"], "[MASK]");
  EXPECT_EQ(special["cls_token"], "[CLS]");

  const BertTokenizer loaded = BertTokenizer::from_directory(dir.string());
  EXPECT_EQ(loaded.options().do_lower_case, false);
  EXPECT_EQ(loaded.options().strip_accents, true);
  EXPECT_EQ(loaded.options().tokenize_chinese_chars, false);
  EXPECT_EQ(loaded.options().model_max_length, 128);
  EXPECT_EQ(loaded.vocab().fingerprint(), original.vocab().fingerprint());
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) files += entry.is_regular_file();
  EXPECT_EQ(files, 3u) << "temporary files left behind";
}

template <typename E>
std::string message_of(const std::string& dir) {
  try {
    BertTokenizer::from_directory(dir);
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception of the expected type>";
}

TEST(BertTokenizerFiles, BadDirectoriesGiveOneErrorNamingTheFile) {
  const fs::path empty = fresh_dir("novocab");
  EXPECT_NE(message_of<IoError>(empty.string()).find((empty / "vocab.txt").string()), std::string::npos);
  EXPECT_NE(message_of<IoError>((empty / "missing").string()).find("missing"), std::string::npos);

  const auto broken = dir_with("broken", kUncasedVocab, R"({"do_lower_case": tru})");
  EXPECT_NE(message_of<FormatError>(broken.string()).find("tokenizer_config.json"), std::string::npos);

  const auto wrong_type = dir_with("type", kUncasedVocab, R"({"do_lower_case": "yes"})");
  EXPECT_NE(message_of<InvalidArgument>(wrong_type.string()).find("do_lower_case"), std::string::npos);

  const auto custom = dir_with("custom", kUncasedVocab, R"({"unk_token": "<unk>"})");
  EXPECT_NE(message_of<InvalidArgument>(custom.string()).find("unk_token"), std::string::npos);

  const auto added = dir_with("added", kUncasedVocab, R"({"added_tokens_decoder": {"30522": {"content": "<new>"}}})");
  EXPECT_NE(message_of<InvalidArgument>(added.string()).find("<new>"), std::string::npos);

  const auto no_basic = dir_with("nobasic", kUncasedVocab, R"({"do_basic_tokenize": false})");
  EXPECT_NE(message_of<InvalidArgument>(no_basic.string()).find("do_basic_tokenize"), std::string::npos);
}

}  // namespace
}  // namespace jpqd::text
