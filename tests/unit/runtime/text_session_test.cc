// Model::run_text tokenizes with the vocabulary and settings stored in the model file. Expected ids
// are hand-derived from the fixture vocabulary (tests/fixtures/runtime/make_tiny_models.py, VOCAB).
#include <gtest/gtest.h>

#include "common/error.h"
#include "jpqd/runtime.h"

namespace jpqd::runtime {
namespace {

std::string fixture(const std::string& name) {
  return std::string(JPQD_SOURCE_DIR) + "/tests/fixtures/runtime/" + name;
}

TEST(TextSession, TokenizesWithTheModelsVocabularyAndPadsTheBatch) {
  Model model = Model::load(fixture("tiny_fp32_cls.jpqd"));
  // "The movie was good!" -> [CLS] the movie was good ! [SEP]     (lower-cased, punctuation split)
  // "Films, boring"       -> [CLS] film ##s , boring [SEP] [PAD]  (WordPiece, padded to 7)
  const std::vector<int64_t> ids = {2, 5, 7, 8, 9, 22, 3, 2, 17, 15, 20, 27, 3, 0};
  const std::vector<int64_t> mask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
  const Logits want = model.run(ids, mask, std::vector<int64_t>(14, 0), 2, 7);
  const Logits got = model.run_text({"The movie was good!", "Films, boring"});
  EXPECT_EQ(got.seq_len, 7);
  EXPECT_EQ(got.logits, want.logits);
}

TEST(TextSession, SentencePairsGetTokenTypesAndTruncation) {
  Model model = Model::load(fixture("tiny_int8_qa.jpqd"));
  // [CLS] the movie [SEP] it is fun [SEP], token types 0 0 0 0 1 1 1 1
  const Logits want = model.run({2, 5, 7, 3, 12, 13, 14, 3}, {}, {0, 0, 0, 0, 1, 1, 1, 1}, 1, 8);
  const Logits got = model.run_text({"the movie"}, {"It is FUN"});
  EXPECT_EQ(got.start_logits, want.start_logits);
  EXPECT_EQ(got.end_logits, want.end_logits);
  // Longer than the model's 16 positions: truncated to fit, never rejected.
  const std::string long_text = "the movie was good and the plot was great but the acting was bad and so boring";
  EXPECT_EQ(model.run_text({long_text}).seq_len, 16);
  EXPECT_THROW(model.run_text({}), InvalidArgument);
  EXPECT_THROW(model.run_text({"a"}, {}, 17), InvalidArgument);
}

}  // namespace
}  // namespace jpqd::runtime
