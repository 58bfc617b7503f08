// Scope strings found by fuzzing (fuzz/compression_config_fuzzer.cc, reproducer in
// fuzz/regressions/compression_config/regex_nesting_stack_overflow).
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

}  // namespace
}  // namespace jpqd::compression
