// tokenizer.json and vocab.json inputs that escaped as non-jpqd exceptions or asked for absurd memory
// (found by fuzz/tokenizer_json_fuzzer.cc and fuzz/bpe_files_fuzzer.cc; reproducers in
// fuzz/regressions/tokenizer_json and fuzz/regressions/bpe_files). Each must now load and encode, or be
// refused with InvalidArgument naming what is wrong.
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "common/json_util.h"
#include "text/pipeline/tokenizer_json.h"

namespace jpqd::text::pipeline {
namespace {

// A WordLevel tokenizer.json with `extra` members after "model".
std::string word_level(const std::string& vocab, const std::string& extra = "") {
  return "{\"model\": {\"type\": \"WordLevel\", \"vocab\": " + vocab + ", \"unk_token\": \"[UNK]\"}" + extra + "}";
}

TokenizerPipeline load(const std::string& text) { return tokenizer_from_json(parse_json(text, "test.json"), "test.json"); }

void expect_refused(const std::string& text, const std::string& message) {
  try {
    load(text);
    FAIL() << "accepted " << text;
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

// The id -> token table was a vector as long as the largest id: one id near 2^31 allocated 80 GiB.
// Hugging Face keeps ids in a map, so a sparse vocabulary is valid and must encode.
TEST(TokenizerPipelineRegression, SparseVocabularyIdNear2To31IsValidAndCheap) {
  const TokenizerPipeline pipeline = load(word_level("{\"a\": 0, \"[UNK]\": 2147483647}"));
  EXPECT_EQ(pipeline.encode("a").ids, (std::vector<int64_t>{0}));
  EXPECT_EQ(pipeline.encode("b").ids, (std::vector<int64_t>{2147483647}));  // unknown: [UNK]
  EXPECT_EQ(pipeline.parts().model->id_to_token(2147483647), "[UNK]");
  EXPECT_EQ(pipeline.parts().model->id_to_token(5), std::nullopt);
  EXPECT_EQ(pipeline.parts().model->vocab_size(), 2);
}

// "Fixed": "x" threw nlohmann's type_error; -1 became a size_t near 2^64 (std::length_error when
// padding); 10^12 asked for terabytes; so did a pad_to_multiple_of of 2^62.
TEST(TokenizerPipelineRegression, PaddingLengthMustBeAnIntegerUpTo2To20) {
  const std::string vocab = "{\"a\": 0, \"[UNK]\": 1}";
  expect_refused(word_level(vocab, ", \"padding\": {\"strategy\": {\"Fixed\": \"x\"}}"), "Fixed: expected an integer");
  expect_refused(word_level(vocab, ", \"padding\": {\"strategy\": {\"Fixed\": -1}}"), "Fixed -1 is outside [0, 2^20]");
  expect_refused(word_level(vocab, ", \"padding\": {\"strategy\": {\"Fixed\": 1000000000000}}"),
                 "Fixed 1000000000000 is outside [0, 2^20]");
  expect_refused(word_level(vocab, ", \"padding\": {\"pad_to_multiple_of\": 4611686018427387904}"),
                 "pad_to_multiple_of 4611686018427387904 is outside [0, 2^20]");
  // The largest accepted length still pads.
  const TokenizerPipeline padded = load(word_level(vocab, ", \"padding\": {\"strategy\": {\"Fixed\": 1048576}}"));
  EXPECT_EQ(padded.encode("a").size(), 1048576u);
}

// Ids and tokens of TemplateProcessing's special_tokens were read with get<>(): a string id or a
// number token threw nlohmann's type_error.
TEST(TokenizerPipelineRegression, TemplateSpecialTokenIdsAndTokensAreTypeChecked) {
  const std::string vocab = "{\"a\": 0, \"[UNK]\": 1}";
  const auto with_special = [&](const std::string& ids, const std::string& tokens) {
    return word_level(vocab, ", \"post_processor\": {\"type\": \"TemplateProcessing\", \"single\": [{\"Sequence\": "
                             "{\"id\": \"A\"}}, {\"SpecialToken\": {\"id\": \"s\"}}], \"pair\": [], \"special_tokens\": "
                             "{\"s\": {\"id\": \"s\", \"ids\": " + ids + ", \"tokens\": " + tokens + "}}}");
  };
  expect_refused(with_special("[\"x\"]", "[\"s\"]"), "special token \"s\" has id \"x\", not an integer");
  expect_refused(with_special("[5]", "[7]"), "special token \"s\" has token 7, not a string");
  EXPECT_EQ(load(with_special("[5]", "[\"s\"]")).encode("a").ids, (std::vector<int64_t>{0, 5}));
}

}  // namespace
}  // namespace jpqd::text::pipeline
