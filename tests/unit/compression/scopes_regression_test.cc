// Scope strings found by fuzzing (fuzz/compression_config_fuzzer.cc, reproducers in
// fuzz/regressions/compression_config/).
#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "common/json_util.h"
#include "compression/config/scopes.h"

namespace jpqd::compression {
namespace {

// "{re}" + thousands of nested parentheses: std::regex's recursive compiler overflowed the stack
// (ASan: stack-overflow in _Compiler::_M_disjunction). Such a scope is now refused before compiling.
TEST(ScopesRegression, DeeplyNestedRegexIsRejectedNotCompiled) {
  const std::string deep = "{re}" + std::string(20000, '(') + std::string(20000, ')');
  try {
    parse_scope_list(Json(deep), "config.ignored_scopes");
    FAIL() << "accepted a 40004-character scope";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("config.ignored_scopes: scope of 40004 characters"), std::string::npos)
        << e.what();
  }
}

// Real NNCF scopes are far below the limit and still work.
TEST(ScopesRegression, LongRealisticScopeIsStillAccepted) {
  const std::string scope = "{re}" + std::string(400, '.') + "BertAttention";
  const auto scopes = parse_scope_list(Json::array({scope}), "config.ignored_scopes");
  ASSERT_EQ(scopes.size(), 1u);
  EXPECT_TRUE(scope_matches(scopes[0], std::string(450, 'x') + "BertAttention[attention]"));
  EXPECT_FALSE(scope_matches(scopes[0], "BertModel[bert]/BertAttention[attention]"));  // fewer than 400 before
}

// "{re}(a|b)*(a|b)*...": std::regex backtracked through every way of splitting a node name among the
// groups, exponential in their number (libFuzzer timeout; reproducer
// fuzz/regressions/compression_config/regex_backtracking_timeout). With std::regex, 12 groups took 0.44 s
// and each 2 more 4x as long, so the 24 here would take about half an hour; RE2 is linear in the name.
TEST(ScopesRegression, BacktrackingRegexMatchesInLinearTime) {
  std::string pattern = "{re}";
  for (int i = 0; i < 24; ++i) pattern += "(a|b)*";
  const auto scopes = parse_scope_list(Json::array({pattern + "x", pattern + "_0$"}), "config.ignored_scopes");
  const std::string scope = "BertLayer[0]/" + std::string(24, 'a') + "/linear_0";
  EXPECT_FALSE(scope_matches(scopes[0], scope));
  EXPECT_TRUE(scope_matches(scopes[1], scope));
}

// RE2 has no backreferences (they are what makes matching exponential); such a scope is refused when
// the config is read, with RE2's reason.
TEST(ScopesRegression, BackreferenceIsRefusedWithTheReason) {
  try {
    parse_scope_list(Json("{re}(a)\\1"), "config.ignored_scopes");
    FAIL() << "accepted a backreference";
  } catch (const InvalidArgument& e) {
    const std::string want = "config.ignored_scopes: invalid regular expression in scope \"{re}(a)\\1\": ";
    EXPECT_NE(std::string(e.what()).find(want), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace jpqd::compression
