// Golden cases from tests/fixtures/tokenizer/make_golden.py, an independent Python re-statement of
// the slow HF BertTokenizer run on the real bert-base vocabularies.
#include <gtest/gtest.h>

#include <string>
#include <cctype>
#include <vector>

#include "common/error.h"
#include "common/json_util.h"
#include "test_vocabs.h"
#include "text/bert_tokenizer.h"
#include "text/utf8.h"

namespace jpqd::text {
namespace {

using testing::cased_vocab;
using testing::source_path;
using testing::uncased_vocab;

std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

Truncation truncation_named(const std::string& name) {
  if (name == "none") return Truncation::kNone;
  if (name == "longest_first") return Truncation::kLongestFirst;
  if (name == "only_first") return Truncation::kOnlyFirst;
  if (name == "only_second") return Truncation::kOnlySecond;
  throw std::runtime_error("unknown truncation in golden.json: " + name);
}

BertTokenizer tokenizer_for(const Json& c) {
  const Json& o = c["options"];
  TokenizerOptions options;
  options.do_lower_case = o["do_lower_case"].get<bool>();
  if (!o["strip_accents"].is_null()) options.strip_accents = o["strip_accents"].get<bool>();
  options.tokenize_chinese_chars = o["tokenize_chinese_chars"].get<bool>();
  return BertTokenizer(c["vocab"] == "cased" ? cased_vocab() : uncased_vocab(), options);
}

const Json& golden_cases() {
  static const Json cases = read_json_file(source_path("tests/fixtures/tokenizer/golden.json"))["cases"];
  return cases;
}

// Offsets must be ordered, non-empty ranges that start and end on character boundaries of the text.
void expect_sane_offsets(const std::string& text, const std::vector<std::pair<int64_t, int64_t>>& offsets,
                         const std::string& name) {
  std::vector<bool> boundary(text.size() + 1, false);
  for (const TrackedChar& c : decode_utf8(text)) boundary[static_cast<size_t>(c.begin)] = true;
  boundary[text.size()] = true;
  int64_t previous_begin = 0;
  for (const auto& [begin, end] : offsets) {
    EXPECT_LT(begin, end) << name;
    EXPECT_LE(end, static_cast<int64_t>(text.size())) << name;
    EXPECT_GE(begin, previous_begin) << name;
    EXPECT_TRUE(boundary[static_cast<size_t>(begin)] && boundary[static_cast<size_t>(end)]) << name;
    previous_begin = begin;
  }
}

TEST(Golden, FixtureHasTheCasesTheTestsRelyOn) {
  EXPECT_GE(golden_cases().size(), 70u);
}

TEST(Golden, TokenizeMatchesTheReference) {
  for (const Json& c : golden_cases()) {
    const std::string name = c["name"];
    const Json& expected = c["expected"];
    if (expected.contains("error")) continue;
    const BertTokenizer tokenizer = tokenizer_for(c);
    const std::string text = from_hex(c["text_hex"]);
    EXPECT_EQ(tokenizer.tokenize(text), expected["tokens"].get<std::vector<std::string>>()) << name;

    std::vector<std::pair<int64_t, int64_t>> offsets;
    for (const auto& token : tokenizer.tokenize_with_offsets(text)) offsets.push_back(token.second);
    expect_sane_offsets(text, offsets, name);
  }
}

TEST(Golden, EncodeMatchesTheReference) {
  int encoded = 0;
  for (const Json& c : golden_cases()) {
    if (!c.contains("max_length")) continue;
    const std::string name = c["name"];
    const BertTokenizer tokenizer = tokenizer_for(c);
    const std::string text = from_hex(c["text_hex"]);
    std::optional<std::string> pair;
    if (c.contains("pair_hex")) pair = from_hex(c["pair_hex"]);
    const int64_t max_length = c["max_length"];
    const Truncation truncation = truncation_named(c["truncation"]);
    const Padding padding = c["padding"] == "max_length" ? Padding::kMaxLength : Padding::kNone;
    const Json& expected = c["expected"];
    if (expected.contains("error")) {
      EXPECT_THROW(tokenizer.encode(text, pair, max_length, truncation, padding), InvalidArgument) << name;
      continue;
    }
    const Encoding e = tokenizer.encode(text, pair, max_length, truncation, padding);
    EXPECT_EQ(e.input_ids, expected["input_ids"].get<std::vector<int64_t>>()) << name;
    EXPECT_EQ(e.token_type_ids, expected["token_type_ids"].get<std::vector<int64_t>>()) << name;
    EXPECT_EQ(e.attention_mask, expected["attention_mask"].get<std::vector<int64_t>>()) << name;
    ASSERT_EQ(e.offsets.size(), e.input_ids.size()) << name;
    ASSERT_EQ(e.sequence_ids.size(), e.input_ids.size()) << name;
    // Special and padding tokens have no text; the others point into the text they came from.
    const auto tokens = expected["encoded_tokens"].get<std::vector<std::string>>();
    std::vector<std::pair<int64_t, int64_t>> first_offsets, second_offsets;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const bool structural = (tokens[i] == "[CLS]" || tokens[i] == "[SEP]" || tokens[i] == "[PAD]") && e.sequence_ids[i] == -1;
      if (structural) {
        EXPECT_EQ(e.offsets[i], std::make_pair(int64_t{0}, int64_t{0})) << name << " token " << i;
      } else {
        EXPECT_EQ(e.sequence_ids[i], e.token_type_ids[i]) << name << " token " << i;
        (e.sequence_ids[i] == 0 ? first_offsets : second_offsets).push_back(e.offsets[i]);
      }
    }
    expect_sane_offsets(text, first_offsets, name);
    if (pair) expect_sane_offsets(*pair, second_offsets, name);
    ++encoded;
  }
  EXPECT_GE(encoded, 20);
}

// For plain ASCII cases the piece a token came from can be checked without any Unicode machinery:
// lower-casing the original bytes gives the token (without its "##").
TEST(Golden, AsciiOffsetsSpellTheirTokens) {
  int checked = 0;
  for (const Json& c : golden_cases()) {
    const std::string text = from_hex(c["text_hex"]);
    bool plain = c["vocab"] == "uncased" && !c["expected"].contains("error");
    for (unsigned char ch : text) plain = plain && ch >= 0x20 && ch < 0x7F;
    if (!plain) continue;
    const BertTokenizer tokenizer = tokenizer_for(c);
    for (const auto& [token, offset] : tokenizer.tokenize_with_offsets(text)) {
      if (token == "[UNK]") continue;
      std::string piece = text.substr(static_cast<size_t>(offset.first), static_cast<size_t>(offset.second - offset.first));
      const bool special = token.size() > 2 && token.front() == '[' && token.back() == ']';
      if (!special) {
        for (char& ch : piece) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      EXPECT_EQ(token.rfind("##", 0) == 0 ? token.substr(2) : token, piece) << c["name"];
      ++checked;
    }
  }
  EXPECT_GE(checked, 100);
}

}  // namespace
}  // namespace jpqd::text
