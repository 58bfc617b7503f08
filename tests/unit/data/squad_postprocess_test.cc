// run_qa's post-processing on hand-made windows and logits; the winning span of each case is worked
// out by hand in the comments.
#include "data/squad_postprocess.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace jpqd::data {
namespace {

using Offsets = std::vector<std::pair<int64_t, int64_t>>;
constexpr std::pair<int64_t, int64_t> kNone{-1, -1};

// Context bytes: Paris [0,5) is [6,8) the [9,12) capital [13,20) of [21,23) France [24,30) . [30,31)
struct Fixture {
  std::vector<SquadExample> examples;
  std::vector<SquadFeature> features;
  Fixture() {
    SquadExample ex;
    ex.id = "q";
    ex.context = "Paris is the capital of France.";
    examples.push_back(ex);
    SquadFeature w0;  // [CLS] q [SEP] Paris is the capital [SEP]
    w0.offsets = {kNone, kNone, kNone, {0, 5}, {6, 8}, {9, 12}, {13, 20}, kNone};
    SquadFeature w1;  // [CLS] q [SEP] capital of France . [SEP]
    w1.offsets = {kNone, kNone, kNone, {13, 20}, {21, 23}, {24, 30}, {30, 31}, kNone};
    features = {w0, w1};
  }
};

TEST(SquadPostprocess, BestSpanOverAllWindows) {
  Fixture f;
  // Window 0: [CLS] (5) and the last [SEP] (3) are outside the context and skipped; best valid pair is
  // start 6 + end 6 = 2 + 1 = 3 ("capital"). Window 1: start 5 + end 5 = 2.5 + 1 = 3.5 ("France")
  // beats start 5 + end 6 = 2.5 + 0.2. France wins overall.
  const std::vector<std::vector<float>> starts = {{5, 0, 0, 1, 0, 0, 2, 0}, {0, 0, 0, 0.5, 0, 2.5, 0, 0}};
  const std::vector<std::vector<float>> ends = {{5, 0, 0, 0.5, 0, 0, 1, 3}, {0, 0, 0, 0, 0, 1, 0.2, 0}};
  const auto p = postprocess_qa_predictions(f.examples, f.features, starts, ends);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].text, "France");
  EXPECT_DOUBLE_EQ(p[0].score, 3.5);
  EXPECT_EQ(p[0].begin, 24);
  EXPECT_EQ(p[0].end, 30);
}

TEST(SquadPostprocess, MaxAnswerLengthAndPaddedLogits) {
  Fixture f;
  // Window 1: start 5 + end 6 = 2.5 + 4 = 6.5 spans "France." (2 tokens). With max_answer_length 1
  // it is skipped, and of the one-token spans start 5 + end 5 = 3.5 ("France") beats (6, 6) =
  // -1 + 4 = 3 (".") and window 0's 2 + 1 = 3 ("capital").
  // The logits are 2 longer than the tokens (a padded batch): those positions never count.
  const std::vector<std::vector<float>> starts = {{5, 0, 0, 1, 0, 0, 2, 0, 9, 9}, {0, 0, 0, 0.5, 0, 2.5, -1, 0, 9, 9}};
  const std::vector<std::vector<float>> ends = {{5, 0, 0, 0.5, 0, 0, 1, 3, 9, 9}, {0, 0, 0, 0, 0, 1, 4, 0, 9, 9}};
  EXPECT_EQ(postprocess_qa_predictions(f.examples, f.features, starts, ends)[0].text, "France.");
  EXPECT_EQ(postprocess_qa_predictions(f.examples, f.features, starts, ends, {20, 1})[0].text, "France");
}

TEST(SquadPostprocess, EndBeforeStartIsSkipped) {
  Fixture f;
  f.features.pop_back();
  // Start logits peak at "capital" (6), end logits at "Paris" (3): the pair (6, 3) would score 8 but
  // ends before it starts. Valid: (6, 6) = 4 + 1 = 5 > (3, 3) = 0 + 4 = 4 > (3, 6) = 0 + 1.
  const auto p = postprocess_qa_predictions(f.examples, f.features, {{0, 0, 0, 0, 0, 0, 4, 0}}, {{0, 0, 0, 4, 0, 0, 1, 0}});
  EXPECT_EQ(p[0].text, "capital");
}

TEST(SquadPostprocess, NoValidSpanGivesEmpty) {
  Fixture f;
  f.features.pop_back();
  // n_best_size 1 keeps only the [CLS] logits, which are outside the context.
  const auto p = postprocess_qa_predictions(f.examples, f.features, {{9, 0, 0, 1, 0, 0, 0, 0}}, {{9, 0, 0, 1, 0, 0, 0, 0}},
                                            {1, 30});
  EXPECT_EQ(p[0].text, "empty");
  EXPECT_EQ(p[0].begin, -1);
  EXPECT_THROW(postprocess_qa_predictions(f.examples, f.features, {}, {}), InvalidArgument);
}

}  // namespace
}  // namespace jpqd::data
