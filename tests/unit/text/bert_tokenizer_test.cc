// Hand-derived cases: ids looked up by hand in data/vocab/bert-base-uncased/vocab.txt (id = line - 1),
// byte offsets counted by hand in the UTF-8 of the input.
#include "text/bert_tokenizer.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "test_vocabs.h"

namespace jpqd::text {
namespace {

using testing::cased_vocab;
using testing::uncased_vocab;
using Offsets = std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>>;

BertTokenizer uncased() { return BertTokenizer(uncased_vocab(), TokenizerOptions{}); }

BertTokenizer cased() {
  TokenizerOptions options;
  options.do_lower_case = false;
  return BertTokenizer(cased_vocab(), options);
}

TEST(BertTokenizer, WordPieceLongestMatchWithContinuations) {
  // vocab.txt lines 14478 "una", 20962 "##ffa", 3469 "##ble": longest prefix first, so not "un".
  const auto tokenizer = uncased();
  const auto tokens = tokenizer.tokenize("unaffable");
  EXPECT_EQ(tokens, (std::vector<std::string>{"una", "##ffa", "##ble"}));
  EXPECT_EQ(tokenizer.convert_tokens_to_ids(tokens), (std::vector<int64_t>{14477, 20961, 3468}));
}

TEST(BertTokenizer, UnknownTokensMapToUnk) {
  const auto tokenizer = uncased();
  EXPECT_EQ(tokenizer.convert_tokens_to_ids({"hello", "no-such-token", "[CLS]"}),
            (std::vector<int64_t>{7592, 100, 101}));
}

TEST(BertTokenizer, OffsetsOfPiecesPointIntoTheOriginalBytes) {
  // "Blogging" 0-8, "CAFÉ" 9-14 (É is 2 bytes), "naïve" 15-21 (ï is 2 bytes).
  const Offsets expected = {{"blog", {0, 4}}, {"##ging", {4, 8}}, {"cafe", {9, 14}}, {"naive", {15, 21}}};
  EXPECT_EQ(uncased().tokenize_with_offsets("Blogging CAF\xC3\x89 na\xC3\xAFve"), expected);
}

TEST(BertTokenizer, OffsetsAfterAccentStrippingCoverTheAccentedCharacter) {
  // Å is 2 bytes: "ang" = Å n g = bytes 0-4; "##strom" = s t r ö m = bytes 4-10.
  const Offsets expected = {{"ang", {0, 4}}, {"##strom", {4, 10}}};
  EXPECT_EQ(uncased().tokenize_with_offsets("\xC3\x85ngstr\xC3\xB6m"), expected);
}

TEST(BertTokenizer, OffsetsOfComposedInputCoverTheCombiningMark) {
  // "CAFE" + U+0301 (2 bytes): NFC composes E with the mark, stripping leaves "cafe" over all 6 bytes.
  const Offsets expected = {{"cafe", {0, 6}}};
  EXPECT_EQ(uncased().tokenize_with_offsets("CAFE\xCC\x81"), expected);
  // A mark that composes with nothing is dropped by stripping and belongs to no token.
  const Offsets dropped = {{"x", {0, 1}}, {"##y", {3, 4}}};
  EXPECT_EQ(uncased().tokenize_with_offsets("x\xCC\x81y"), dropped);
}

TEST(BertTokenizer, OffsetsOfLowerCaseExpansion) {
  // İ (2 bytes) lower-cases to i + U+0307, which stripping removes: "istanbul" spans all 9 bytes.
  const Offsets expected = {{"istanbul", {0, 9}}};
  EXPECT_EQ(uncased().tokenize_with_offsets("\xC4\xB0stanbul"), expected);
}

TEST(BertTokenizer, OffsetsOfCasedAccentedWord) {
  const Offsets expected = {{"Caf\xC3\xA9", {0, 5}}};
  EXPECT_EQ(cased().tokenize_with_offsets("Caf\xC3\xA9"), expected);
}

TEST(BertTokenizer, OffsetsOfSpecialTokensCjkAndInvalidBytes) {
  const Offsets specials = {{"hello", {0, 5}}, {"[MASK]", {6, 12}}, {"world", {13, 18}}};
  EXPECT_EQ(uncased().tokenize_with_offsets("hello [MASK] world"), specials);
  // 中 and 文 are 3 bytes each.
  const Offsets cjk = {{"\xE4\xB8\xAD", {0, 3}}, {"\xE6\x96\x87", {3, 6}}, {"mixed", {6, 11}}};
  EXPECT_EQ(uncased().tokenize_with_offsets("\xE4\xB8\xAD\xE6\x96\x87mixed"), cjk);
  // The stray lead byte 0xC3 at 3 is dropped; "ok" stays at 5-7.
  const Offsets invalid = {{"caf", {0, 3}}, {"ok", {5, 7}}};
  EXPECT_EQ(uncased().tokenize_with_offsets("caf\xC3 ok"), invalid);
}

TEST(BertTokenizer, EncodePairLayout) {
  // [CLS] hello [SEP] world [SEP] [PAD] [PAD]
  const Encoding e = uncased().encode("Hello", std::string("WORLD"), 7, Truncation::kLongestFirst, Padding::kMaxLength);
  EXPECT_EQ(e.input_ids, (std::vector<int64_t>{101, 7592, 102, 2088, 102, 0, 0}));
  EXPECT_EQ(e.token_type_ids, (std::vector<int64_t>{0, 0, 0, 1, 1, 0, 0}));
  EXPECT_EQ(e.attention_mask, (std::vector<int64_t>{1, 1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(e.sequence_ids, (std::vector<int>{-1, 0, -1, 1, -1, -1, -1}));
  using P = std::pair<int64_t, int64_t>;
  EXPECT_EQ(e.offsets, (std::vector<P>{{0, 0}, {0, 5}, {0, 0}, {0, 5}, {0, 0}, {0, 0}, {0, 0}}));
}

TEST(BertTokenizer, LongestFirstCutsTheSecondTextOnATie) {
  // 3 + 3 words + 3 specials = 9; max 8 removes one token, from the second text on the tie.
  const Encoding e = uncased().encode("a b c", std::string("d e f"), 8);
  EXPECT_EQ(e.input_ids, (std::vector<int64_t>{101, 1037, 1038, 1039, 102, 1040, 1041, 102}));
}

TEST(BertTokenizer, DynamicPaddingLeavesTheEncodingUnpadded) {
  const Encoding e = uncased().encode("hello", std::nullopt, 16, Truncation::kLongestFirst, Padding::kNone);
  EXPECT_EQ(e.input_ids, (std::vector<int64_t>{101, 7592, 102}));
}

TEST(BertTokenizer, BadEncodeArgumentsThrow) {
  const auto tokenizer = uncased();
  EXPECT_THROW(tokenizer.encode("x", std::nullopt, 0, Truncation::kLongestFirst, Padding::kMaxLength), InvalidArgument);
  EXPECT_THROW(tokenizer.encode("x", std::nullopt, -1), InvalidArgument);
  EXPECT_THROW(BertTokenizer(uncased_vocab(), TokenizerOptions{true, std::nullopt, true, 0, 512}), InvalidArgument);
}

TEST(BertTokenizer, NeverCrashesOnArbitraryBytes) {
  const auto tokenizer = uncased();
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  bytes += "\xF4\x90\x80\x80\xF0\x8F\xBF\xBF\xE0\x80\x80";  // beyond U+10FFFF, overlong forms
  const auto tokens = tokenizer.tokenize_with_offsets(bytes + bytes);
  EXPECT_FALSE(tokens.empty());
  for (const auto& token : tokens) {
    EXPECT_LT(token.second.first, token.second.second);
    EXPECT_LE(token.second.second, static_cast<int64_t>(2 * bytes.size()));
  }
}

}  // namespace
}  // namespace jpqd::text
