// BertTokenizer takes a shortcut for whitespace-separated chunks of printable ASCII and the full
// Unicode pipeline for every other chunk. A DEL (U+007F) is a control that cleaning drops, so adding
// one to every chunk sends the whole text down the full pipeline without changing what HF would
// produce: both paths must give the same tokens at the same places of the original text.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "common/file_io.h"
#include "test_vocabs.h"
#include "text/bert_tokenizer.h"

namespace jpqd::text {
namespace {

using testing::cased_vocab;
using testing::source_path;
using testing::uncased_vocab;
using Tokens = std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>>;

// Texts the shortcut sees in practice and its edge cases: punctuation runs, never-split look-alikes,
// special tokens inside words, words longer than max_input_chars_per_word, controls and tabs.
std::vector<std::string> texts() {
  std::vector<std::string> out = {
      "Hello, World! Don't e-mail me at x@y.com; it's 3.14 (roughly).",
      "unaffable UNAFFABLE Unaffable running##ing ###",
      "[MASK] a[MASK]b [mask] [MA SK] [MASK [SEP][CLS]x [UNK]] [[PAD]]",
      "tab\tseparated\r\nand   spaced  out  ",
      std::string(150, 'a') + " " + std::string(100, 'b') + "! " + std::string(101, 'c'),
      "ctrl\x01inside and \x0b vertical tab, NUL\0inside" + std::string("\0x", 2),
      "~`!@#$%^&*()_+-={}[]|\\:;\"'<>,.?/",
      "",
      "   ",
  };
  const std::string tsv = read_text_file(source_path("data/glue/SST-2/dev.tsv"));
  size_t start = tsv.find('\n') + 1;
  for (int n = 0; n < 200 && start < tsv.size(); ++n) {
    const size_t end = tsv.find('\n', start);
    out.push_back(tsv.substr(start, tsv.rfind('\t', end) - start));
    start = end + 1;
  }
  return out;
}

// `text` with a DEL after every chunk, and for each byte of it the byte of `text` it came from.
std::pair<std::string, std::vector<int64_t>> with_del_in_every_chunk(const std::string& text) {
  std::string out;
  std::vector<int64_t> origin;
  const auto add = [&](char c, int64_t from) {
    out += c;
    origin.push_back(from);
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool ends_chunk = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (ends_chunk) add('\x7f', static_cast<int64_t>(i));
    add(c, static_cast<int64_t>(i));
  }
  add('\x7f', static_cast<int64_t>(text.size()));
  return {out, origin};
}

void expect_same_on_both_paths(const BertTokenizer& tokenizer) {
  for (const std::string& text : texts()) {
    const auto [slow_text, origin] = with_del_in_every_chunk(text);
    Tokens slow = tokenizer.tokenize_with_offsets(slow_text);
    for (auto& [token, offsets] : slow) {
      offsets = {origin[static_cast<size_t>(offsets.first)], origin[static_cast<size_t>(offsets.second - 1)] + 1};
    }
    EXPECT_EQ(tokenizer.tokenize_with_offsets(text), slow) << text;
  }
}

TEST(AsciiFastPath, MatchesTheFullPipelineUncased) {
  expect_same_on_both_paths(BertTokenizer(uncased_vocab(), TokenizerOptions{}));
}

TEST(AsciiFastPath, MatchesTheFullPipelineCased) {
  TokenizerOptions options;
  options.do_lower_case = false;
  expect_same_on_both_paths(BertTokenizer(cased_vocab(), options));
}

TEST(AsciiFastPath, MatchesTheFullPipelineWithShortWords) {
  TokenizerOptions options;
  options.max_input_chars_per_word = 4;
  expect_same_on_both_paths(BertTokenizer(uncased_vocab(), options));
}

}  // namespace
}  // namespace jpqd::text
