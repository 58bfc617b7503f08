// The official SQuAD v1.1 normalisation, EM and F1 on hand-made cases (expected values worked out
// by hand from evaluate-v1.1.py's definitions).
#include "data/squad_metrics.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace jpqd::data {
namespace {

constexpr double kHandRoundingTolerance = 1e-6;  // hand values carry 7+ significant digits

TEST(SquadMetrics, NormalizeAnswer) {
  EXPECT_EQ(normalize_answer("The  Quick, Brown fox!"), "quick brown fox");
  EXPECT_EQ(normalize_answer("an apple a day"), "apple day");
  EXPECT_EQ(normalize_answer("theory of Anne"), "theory of anne");  // articles only as whole words
  EXPECT_EQ(normalize_answer("A.B."), "ab");                         // punctuation goes first
  EXPECT_EQ(normalize_answer("the_end"), "theend");                  // '_' is punctuation
  EXPECT_EQ(normalize_answer("a-the"), "athe");
  EXPECT_EQ(normalize_answer("\xC3\x89lan THE"), "\xC3\xA9lan");      // Élan -> élan
  // Python's \b is Unicode-aware: "aé" is one word, its "a" is no article.
  EXPECT_EQ(normalize_answer("a\xC3\xA9"), "a\xC3\xA9");
  // No-break space and em space are whitespace for str.split().
  EXPECT_EQ(normalize_answer("\xC2\xA0the\xE2\x80\x83" "cat "), "cat");
  // Non-ASCII punctuation is kept (string.punctuation is ASCII only).
  EXPECT_EQ(normalize_answer("\xE2\x80\x9C" "cat" "\xE2\x80\x9D"), "\xE2\x80\x9C" "cat" "\xE2\x80\x9D");
  EXPECT_EQ(normalize_answer(""), "");
}

TEST(SquadMetrics, ExactMatchAndF1) {
  EXPECT_EQ(squad_exact_match("The Cat", "cat"), 1.0);
  EXPECT_EQ(squad_exact_match("cats", "cat"), 0.0);
  // pred -> cat sat on mat (4 tokens), gold -> cat on mat (3): common 3, P = 3/4, R = 1,
  // F1 = 2 (3/4) / (7/4) = 6/7.
  EXPECT_NEAR(squad_f1("the cat sat on the mat", "a cat on a mat"), 6.0 / 7.0, kHandRoundingTolerance);
  // Repeated tokens count once per gold occurrence: common = min(3, 1) = 1, P = 1/3, R = 1/2,
  // F1 = 2 (1/6) / (5/6) = 0.4.
  EXPECT_NEAR(squad_f1("cat cat cat", "cat dog"), 0.4, kHandRoundingTolerance);
  EXPECT_EQ(squad_f1("dog", "cat"), 0.0);
  EXPECT_EQ(squad_f1("", "cat"), 0.0);
  EXPECT_EQ(squad_f1("the", "a"), 0.0);  // both normalise to nothing: no common token
}

TEST(SquadMetrics, EvaluateTakesTheBestGoldAnswerAndScoresMissingAsZero) {
  std::vector<SquadExample> examples(3);
  examples[0].id = "q1";
  examples[0].answers = {{"Denver Broncos", 0, 0}, {"Broncos", 7, 7}};
  examples[1].id = "q2";
  examples[1].answers = {{"1990", 0, 0}};
  examples[2].id = "q3";
  examples[2].answers = {{"blue whale", 0, 0}};
  // q1: "the Broncos" -> "broncos" equals gold 2: EM 1, F1 1. q2: missing: 0, 0. q3: "whale" vs
  // "blue whale": EM 0, F1 = 2 (1 * 1/2) / (3/2) = 2/3.
  const SquadScores s = evaluate_squad(examples, {{"q1", "the Broncos"}, {"q3", "whale"}});
  EXPECT_EQ(s.total, 3);
  EXPECT_EQ(s.missing, 1);
  EXPECT_NEAR(s.exact_match, 100.0 / 3.0, kHandRoundingTolerance);
  EXPECT_NEAR(s.f1, 100.0 * (1.0 + 2.0 / 3.0) / 3.0, kHandRoundingTolerance);
  EXPECT_NEAR(s.to_json()["f1"].get<double>(), 55.5555556, kHandRoundingTolerance);
}

}  // namespace
}  // namespace jpqd::data
