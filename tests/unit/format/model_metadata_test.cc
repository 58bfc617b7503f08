#include <gtest/gtest.h>

#include <functional>

#include "common/error.h"
#include "format/model_metadata.h"
#include "format/tensor_names.h"

namespace jpqd::format {
namespace {

ModelMetadata sample() {
  ModelMetadata m;
  m.architecture.hidden_size = 8;
  m.architecture.vocab_size = 3;
  m.architecture.max_position_embeddings = 16;
  m.architecture.hidden_act = HiddenAct::kGeluNew;
  m.architecture.layers = {{2, 4, 10}, {0, 4, 0}};
  m.task.num_labels = 2;
  m.task.id2label = {"negative", "positive"};
  m.tokenizer.vocab = {"[PAD]", "[UNK]", "[CLS]"};
  m.tokenizer.strip_accents = false;
  m.quantization.int8 = true;
  m.quantization.linear_inputs[tensor_names::query(0)] = {0.0123456789f, 131, false};
  m.quantization.attention = {AttentionQuantizers{{0.5f, 0, true}, {0.25f, 0, true}}, std::nullopt};
  m.provenance = {{"run", "abc"}, {"steps", 12}};
  return m;
}

TEST(ModelMetadata, RoundTripsThroughJsonExactly) {
  const ModelMetadata m = sample();
  const Json j = Json::parse(m.to_json().dump());
  const ModelMetadata back = ModelMetadata::from_json(j, "meta");
  EXPECT_EQ(back.architecture.layers.size(), 2u);
  EXPECT_EQ(back.architecture.layers[0].num_heads, 2);
  EXPECT_EQ(back.architecture.layers[1].intermediate_size, 0);
  EXPECT_EQ(back.architecture.hidden_act, HiddenAct::kGeluNew);
  EXPECT_EQ(back.task.id2label, m.task.id2label);
  EXPECT_EQ(back.tokenizer.strip_accents, std::optional<bool>(false));
  ASSERT_TRUE(back.quantization.int8);
  const auto& q = back.quantization.linear_inputs.at("encoder.layer.0.attention.self.query");
  EXPECT_EQ(q.scale, 0.0123456789f);  // bit-exact f32 through JSON
  EXPECT_EQ(q.zero_point, 131);
  ASSERT_EQ(back.quantization.attention.size(), 2u);
  EXPECT_TRUE(back.quantization.attention[0].has_value());
  EXPECT_FALSE(back.quantization.attention[1].has_value());
  EXPECT_EQ(back.provenance["steps"], 12);
}

std::string error_of(const std::function<void(Json&)>& edit) {
  Json j = sample().to_json();
  edit(j);
  try {
    ModelMetadata::from_json(j, "m.jpqd: metadata");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ModelMetadata, RejectsInconsistentOrUnknownFields) {
  EXPECT_NE(error_of([](Json& j) { j["architecture"]["num_layers"] = 3; }).find("2 entries for num_layers 3"),
            std::string::npos);
  EXPECT_NE(error_of([](Json& j) { j["architecture"]["layers"][0]["num_heads"] = -1; }).find("num_heads: -1"),
            std::string::npos);
  EXPECT_NE(error_of([](Json& j) { j["architecture"]["hidden_size_typo"] = 1; }).find("unknown key \"hidden_size_typo\""),
            std::string::npos);
  EXPECT_NE(error_of([](Json& j) { j["tokenizer"]["vocab"].push_back("x"); }).find("4 tokens for vocab_size 3"),
            std::string::npos);
  EXPECT_NE(error_of([](Json& j) { j["task"]["id2label"] = {"a"}; }).find("1 labels for num_labels 2"),
            std::string::npos);
  EXPECT_NE(error_of([](Json& j) {
              j["quantization"]["linears"]["encoder.layer.0.attention.self.query"]["input"]["zero_point"] = 300;
            }).find("zero_point: 300 outside 0..255"),
            std::string::npos);
  EXPECT_NE(error_of([](Json& j) { j["quantization"]["attention"][0]["query"]["zero_point"] = 3; })
                .find("must be 0 for a signed"),
            std::string::npos);
  EXPECT_NE(error_of([](Json& j) { j["quantization"]["linears"]["encoder.layer.0.attention.self.query"]["input"]["scale"] = 0; })
                .find("not a positive finite f32"),
            std::string::npos);
  EXPECT_NE(error_of([](Json& j) { j["quantization"]["scheme"] = "int4"; }).find("unsupported \"int4\""),
            std::string::npos);
  EXPECT_NE(error_of([](Json& j) { j["task"] = {{"type", "token_classification"}}; }).find("token_classification"),
            std::string::npos);
}

TEST(TensorNames, FollowHuggingFaceBertNames) {
  EXPECT_EQ(tensor_names::weight(tensor_names::query(3)), "encoder.layer.3.attention.self.query.weight");
  EXPECT_EQ(tensor_names::bias(tensor_names::attention_output(0)), "encoder.layer.0.attention.output.dense.bias");
  EXPECT_EQ(tensor_names::weight(tensor_names::attention_layer_norm(1)), "encoder.layer.1.attention.output.LayerNorm.weight");
  EXPECT_EQ(tensor_names::weight_scale(tensor_names::intermediate(11)), "encoder.layer.11.intermediate.dense.weight_scale");
  EXPECT_EQ(tensor_names::weight(tensor_names::output(2)), "encoder.layer.2.output.dense.weight");
  EXPECT_EQ(tensor_names::weight(tensor_names::word_embeddings()), "embeddings.word_embeddings.weight");
  EXPECT_EQ(tensor_names::bias(tensor_names::embeddings_layer_norm()), "embeddings.LayerNorm.bias");
  EXPECT_EQ(tensor_names::weight(tensor_names::pooler()), "pooler.dense.weight");
  EXPECT_EQ(tensor_names::weight(tensor_names::qa_outputs()), "qa_outputs.weight");
}

}  // namespace
}  // namespace jpqd::format
