#include "text/vocab.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <unistd.h>

#include "common/error.h"
#include "common/file_io.h"
#include "test_vocabs.h"

namespace jpqd::text {
namespace {

namespace fs = std::filesystem;
using testing::source_path;
using testing::uncased_vocab;

std::string write_temp(const std::string& name, const std::string& content) {
  const fs::path dir = fs::temp_directory_path() / ("jpqd_vocab_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / name).string();
  write_file_atomically(path, content);
  return path;
}

template <typename E>
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}

TEST(Vocab, RealUncasedVocabulary) {
  const Vocab& v = uncased_vocab();
  EXPECT_EQ(v.size(), 30522);
  EXPECT_EQ(v.pad_id(), 0);
  EXPECT_EQ(v.unk_id(), 100);
  EXPECT_EQ(v.cls_id(), 101);
  EXPECT_EQ(v.sep_id(), 102);
  EXPECT_EQ(v.mask_id(), 103);
  EXPECT_EQ(v.token(7592), "hello");
  EXPECT_EQ(v.find("hello"), 7592);
  EXPECT_EQ(v.find("no-such-token"), std::nullopt);
  EXPECT_EQ(v.id("no-such-token"), 100);
  EXPECT_THROW(v.token(30522), InvalidArgument);
  EXPECT_THROW(v.token(-1), InvalidArgument);
}

TEST(Vocab, FingerprintIsTheSha256OfTheCanonicalFile) {
  // `sha256sum data/vocab/bert-base-uncased/vocab.txt`
  EXPECT_EQ(uncased_vocab().fingerprint(), "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3");
  EXPECT_NE(testing::cased_vocab().fingerprint(), uncased_vocab().fingerprint());
}

TEST(Vocab, LinesAsHfReadsThem) {
  // CRLF line ends and a BOM are tolerated; no trailing newline is fine; ids are line numbers.
  const Vocab v = Vocab::from_file(write_temp("crlf.txt", "\xEF\xBB\xBF[PAD]\r\n[UNK]\r\nhello\r\n##lo"));
  EXPECT_EQ(v.tokens(), (std::vector<std::string>{"[PAD]", "[UNK]", "hello", "##lo"}));
  EXPECT_EQ(v.unk_id(), 1);
  EXPECT_THROW(v.cls_id(), InvalidArgument);
}

TEST(Vocab, FromTokens) {
  const Vocab v = Vocab::from_tokens({"[PAD]", "[UNK]", "x"});
  EXPECT_EQ(v.id("x"), 2);
  EXPECT_EQ(v.fingerprint(), Vocab::from_file(write_temp("same.txt", "[PAD]\n[UNK]\nx\n")).fingerprint());
  EXPECT_THROW(Vocab::from_tokens({"[UNK]", "a\nb"}), InvalidArgument);
  EXPECT_THROW(Vocab::from_tokens({"[UNK]", "a", "a"}), InvalidArgument);
  EXPECT_THROW(Vocab::from_tokens({"a"}), InvalidArgument);
  EXPECT_THROW(Vocab::from_tokens({}), InvalidArgument);
}

TEST(Vocab, BadFilesGiveOneErrorNamingTheFile) {
  const std::string missing = source_path("no/such/vocab.txt");
  EXPECT_NE(message_of<IoError>([&] { Vocab::from_file(missing); }).find(missing), std::string::npos);

  const std::string empty = write_temp("empty.txt", "");
  EXPECT_NE(message_of<FormatError>([&] { Vocab::from_file(empty); }).find(empty), std::string::npos);

  const std::string duplicate = write_temp("duplicate.txt", "[UNK]\nhello\nworld\nhello\n");
  const std::string message = message_of<FormatError>([&] { Vocab::from_file(duplicate); });
  EXPECT_NE(message.find(duplicate), std::string::npos) << message;
  EXPECT_NE(message.find("lines 2 and 4"), std::string::npos) << message;

  const std::string no_unk = write_temp("no_unk.txt", "[PAD]\nhello\n");
  EXPECT_NE(message_of<FormatError>([&] { Vocab::from_file(no_unk); }).find("[UNK]"), std::string::npos);

  const std::string latin1 = write_temp("latin1.txt", "[UNK]\ncaf\xE9\n");
  EXPECT_NE(message_of<FormatError>([&] { Vocab::from_file(latin1); }).find(latin1), std::string::npos);
}

}  // namespace
}  // namespace jpqd::text
