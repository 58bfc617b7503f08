#include "model/bert_config.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace jpqd::model {
namespace {

Json tiny() {
  return Json::parse(R"({"vocab_size": 100, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4,
    "intermediate_size": 64, "hidden_act": "gelu", "model_type": "bert"})");
}

TEST(BertConfig, ReadsEveryFieldAndLabelsWithStringKeys) {
  Json j = tiny();
  j["id2label"] = {{"0", "neg"}, {"1", "pos"}};
  j["label2id"] = {{"neg", 0}, {"pos", 1}};
  j["problem_type"] = "single_label_classification";
  j["classifier_dropout"] = 0.3;
  j["layer_norm_eps"] = 1e-5;
  j["architectures"] = {"BertForSequenceClassification"};
  const BertConfig c = BertConfig::from_json(j, "config.json");
  EXPECT_EQ(c.vocab_size, 100);
  EXPECT_EQ(c.head_dim(), 8);
  EXPECT_EQ(c.num_labels(), 2);
  EXPECT_EQ(c.id2label.at(1), "pos");
  EXPECT_EQ(c.problem_type, "single_label_classification");
  EXPECT_DOUBLE_EQ(*c.classifier_dropout, 0.3);
  EXPECT_DOUBLE_EQ(c.layer_norm_eps, 1e-5);
  EXPECT_EQ(c.architectures, std::vector<std::string>{"BertForSequenceClassification"});
}

TEST(BertConfig, RoundTripKeepsUnknownKeys) {
  Json j = tiny();
  j["transformers_version"] = "4.40.0";
  j["custom"] = {{"nested", {1, 2, 3}}};
  j["use_cache"] = true;
  const Json out = BertConfig::from_json(j, "config.json").to_json();
  EXPECT_EQ(out["transformers_version"], "4.40.0");
  EXPECT_EQ(out["custom"], j["custom"]);
  EXPECT_EQ(out["use_cache"], true);
  EXPECT_EQ(out["id2label"], (Json{{"0", "LABEL_0"}, {"1", "LABEL_1"}}));  // HF's default two labels
  EXPECT_EQ(out["label2id"], (Json{{"LABEL_0", 0}, {"LABEL_1", 1}}));
  EXPECT_TRUE(out["classifier_dropout"].is_null());
  const BertConfig again = BertConfig::from_json(out, "again");
  EXPECT_EQ(again.to_json(), out);
}

TEST(BertConfig, NumLabelsWithoutId2Label) {
  Json j = tiny();
  j["num_labels"] = 5;
  EXPECT_EQ(BertConfig::from_json(j, "c").num_labels(), 5);
}

TEST(BertConfig, SetNumLabelsKeepsNamesOnlyWhenTheCountMatches) {
  BertConfig c;
  c.id2label = {{0, "neg"}, {1, "pos"}};
  c.set_num_labels(2);
  EXPECT_EQ(c.id2label.at(0), "neg");
  c.set_num_labels(1);
  EXPECT_EQ(c.num_labels(), 1);
  EXPECT_EQ(c.id2label.at(0), "LABEL_0");
  EXPECT_THROW(c.set_num_labels(0), InvalidArgument);
}

void expect_rejected(Json j, const std::string& fragment) {
  try {
    BertConfig::from_json(j, "dir/config.json");
    ADD_FAILURE() << "accepted " << j.dump();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("dir/config.json"), std::string::npos) << e.what();
  }
}

TEST(BertConfig, ValidateRejectsInconsistentConfigs) {
  Json j = tiny();
  j["num_attention_heads"] = 5;
  expect_rejected(j, "not a multiple of num_attention_heads 5");
  j = tiny();
  j["hidden_act"] = "swish";
  expect_rejected(j, "hidden_act \"swish\"");
  j = tiny();
  j["position_embedding_type"] = "relative_key";
  expect_rejected(j, "position_embedding_type");
  j = tiny();
  j["intermediate_size"] = 0;
  expect_rejected(j, "intermediate_size must be positive");
  j = tiny();
  j["heads_per_layer"] = {4};
  expect_rejected(j, "heads_per_layer has 1 entries for 2 layers");
  j = tiny();
  j["intermediate_per_layer"] = {64, 65};
  expect_rejected(j, "intermediate_per_layer[1] = 65");
  j = tiny();
  j["hidden_size"] = "32";
  expect_rejected(j, "\"hidden_size\" must be an integer");
  j = tiny();
  j["id2label"] = {{"0", "a"}, {"2", "c"}};
  expect_rejected(j, "1 is missing");
  j = tiny();
  j["id2label"] = {{"x", "a"}};
  expect_rejected(j, "id2label key \"x\"");
  j = tiny();
  j["problem_type"] = "ranking";
  expect_rejected(j, "problem_type \"ranking\"");
  j = tiny();
  j["hidden_dropout_prob"] = 1.5;
  expect_rejected(j, "hidden_dropout_prob must be in [0, 1)");
}

TEST(BertConfig, AllGeluSpellingsAreAccepted) {
  for (const char* act : {"gelu", "gelu_python", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu"}) {
    Json j = tiny();
    j["hidden_act"] = act;
    EXPECT_NO_THROW(BertConfig::from_json(j, "c")) << act;
  }
}

TEST(BertConfig, NamedShapes) {
  struct Want {
    const char* name;
    int64_t layers, hidden, heads, ffn;
  };
  for (const Want& w : {Want{"bert-tiny", 2, 128, 2, 512}, Want{"bert-mini", 4, 256, 4, 1024},
                        Want{"bert-small", 4, 512, 8, 2048}, Want{"bert-medium", 8, 512, 8, 2048},
                        Want{"bert-base", 12, 768, 12, 3072}, Want{"bert-large", 24, 1024, 16, 4096}}) {
    auto c = BertConfig::named_shape(w.name);
    ASSERT_TRUE(c) << w.name;
    EXPECT_EQ(c->num_hidden_layers, w.layers);
    EXPECT_EQ(c->hidden_size, w.hidden);
    EXPECT_EQ(c->num_attention_heads, w.heads);
    EXPECT_EQ(c->intermediate_size, w.ffn);
    EXPECT_EQ(c->vocab_size, 30522);
    EXPECT_EQ(c->max_position_embeddings, 512);
  }
  EXPECT_FALSE(BertConfig::named_shape("bert-huge"));
}

}  // namespace
}  // namespace jpqd::model
