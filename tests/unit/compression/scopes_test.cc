#include "compression/config/scopes.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace jpqd::compression {
namespace {

const std::string kQuery =
    "BertForSequenceClassification/BertModel[bert]/BertEncoder[encoder]/ModuleList[layer]/BertLayer[0]/"
    "BertAttention[attention]/BertSelfAttention[self]/NNCFLinear[query]/linear_0";
const std::string kSelfOutput =
    "BertForSequenceClassification/BertModel[bert]/BertEncoder[encoder]/ModuleList[layer]/BertLayer[0]/"
    "BertAttention[attention]/BertSelfOutput[output]/NNCFLinear[dense]/linear_0";
const std::string kOutput =
    "BertForSequenceClassification/BertModel[bert]/BertEncoder[encoder]/ModuleList[layer]/BertLayer[0]/"
    "BertOutput[output]/NNCFLinear[dense]/linear_0";

TEST(Scopes, RegexIsSearchedNotFullMatched) {
  EXPECT_TRUE(scope_matches("{re}.*BertAttention.*", kQuery));
  EXPECT_TRUE(scope_matches("{re}BertAttention", kQuery));  // search: no anchoring
  EXPECT_TRUE(scope_matches("{re}query", kQuery));
  EXPECT_FALSE(scope_matches("{re}^query", kQuery));
  EXPECT_TRUE(scope_matches("{re}linear_0$", kQuery));
}

TEST(Scopes, BertOutputDoesNotMatchBertSelfOutput) {
  // docs/algorithms.md 5.1: the published per_dim axis-1 entry must not catch attention.output.dense.
  EXPECT_TRUE(scope_matches("{re}.*BertOutput.*", kOutput));
  EXPECT_FALSE(scope_matches("{re}.*BertOutput.*", kSelfOutput));
  EXPECT_TRUE(scope_matches("{re}.*BertAttention.*", kSelfOutput));
}

TEST(Scopes, PlainStringsMustBeEqual) {
  EXPECT_TRUE(scope_matches(kQuery, kQuery));
  EXPECT_FALSE(scope_matches("NNCFLinear[query]", kQuery));
  EXPECT_FALSE(scope_matches(kQuery + "x", kQuery));
}

TEST(Scopes, AnyScopeMatches) {
  EXPECT_TRUE(any_scope_matches({"nope", "{re}NNCFLinear\\[query\\]"}, kQuery));
  EXPECT_FALSE(any_scope_matches({"nope", "{re}key"}, kQuery));
  EXPECT_FALSE(any_scope_matches({}, kQuery));
}

TEST(Scopes, RequireScopesMatchNamesTheScope) {
  model::ModelGraph graph(2);
  graph[0].scope = kQuery;
  graph[1].scope = kOutput;
  EXPECT_NO_THROW(require_scopes_match({"{re}.*BertOutput.*", kQuery}, graph, "cfg.ignored_scopes"));
  try {
    require_scopes_match({"{re}.*BertOutput.*", "{re}.*pooler.*"}, graph, "cfg.ignored_scopes");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.ignored_scopes: scope \"{re}.*pooler.*\" matches no node"),
              std::string::npos)
        << e.what();
  }
}

TEST(Scopes, ParseScopeList) {
  EXPECT_EQ(parse_scope_list(Json("{re}a"), "w"), std::vector<std::string>{"{re}a"});
  EXPECT_EQ(parse_scope_list(Json::array({"a", "{re}b"}), "w"), (std::vector<std::string>{"a", "{re}b"}));
  EXPECT_THROW(parse_scope_list(Json(1), "w"), InvalidArgument);
  EXPECT_THROW(parse_scope_list(Json::array({"a", 2}), "w"), InvalidArgument);
  EXPECT_THROW(parse_scope_list(Json("{re}[unclosed"), "w"), InvalidArgument);
  EXPECT_THROW(parse_scope_list(Json(""), "w"), InvalidArgument);
}

}  // namespace
}  // namespace jpqd::compression
