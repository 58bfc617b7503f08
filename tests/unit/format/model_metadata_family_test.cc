// The family in a model file's metadata: written explicitly, absent in files from before the families
// (read as BERT), and an unknown model_type refused in one line that names the file and the value.
#include <gtest/gtest.h>

#include "common/error.h"
#include "format/model_metadata.h"

namespace jpqd::format {
namespace {

ModelMetadata family_sample(const std::string& model_type) {
  ModelMetadata m;
  set_family_fields(architecture::architecture_for(model_type, "test"), m.architecture);
  m.architecture.hidden_size = 8;
  m.architecture.vocab_size = 3;
  m.architecture.max_position_embeddings = 16;
  m.architecture.type_vocab_size = m.architecture.token_type_embeddings ? 1 : 0;
  m.architecture.layers = {{2, 4, 10}};
  m.tokenizer.vocab = {"<s>", "<pad>", "</s>"};
  return m;
}

std::string family_metadata_error(const Json& j) {
  try {
    ModelMetadata::from_json(j, "runs/x/model.jpqd: metadata");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ModelMetadataFamily, RobertaFieldsRoundTrip) {
  const ModelMetadata back = ModelMetadata::from_json(family_sample("roberta").to_json(), "meta");
  const Architecture& a = back.architecture;
  EXPECT_EQ(a.model_type, "roberta");
  EXPECT_TRUE(a.token_type_embeddings);
  EXPECT_EQ(a.position_ids, architecture::PositionIds::kCountingNonPadding);
  EXPECT_EQ(a.padding_idx, 1);
  EXPECT_EQ(a.classifier_head, architecture::ClassifierHead::kDenseTanhOutProj);
  EXPECT_FALSE(a.query_scaled_before_scores);
  EXPECT_EQ(a.max_sequence_length(), 14);  // 16 rows, positions 0 and 1 taken by padding_idx
}

TEST(ModelMetadataFamily, DistilbertHasNoTokenTypesAndScalesTheQueryFirst) {
  const ModelMetadata back = ModelMetadata::from_json(family_sample("distilbert").to_json(), "meta");
  EXPECT_EQ(back.architecture.model_type, "distilbert");
  EXPECT_FALSE(back.architecture.token_type_embeddings);
  EXPECT_EQ(back.architecture.type_vocab_size, 0);
  EXPECT_EQ(back.architecture.classifier_head, architecture::ClassifierHead::kPreClassifierRelu);
  EXPECT_TRUE(back.architecture.query_scaled_before_scores);
  EXPECT_EQ(back.architecture.max_sequence_length(), 16);
}

TEST(ModelMetadataFamily, FilesWithoutModelTypeAreBert) {
  Json j = family_sample("bert").to_json();
  for (const char* key : {"model_type", "token_type_embeddings", "position_ids", "padding_idx", "classifier_head",
                          "query_scaled_before_scores"})
    j["architecture"].erase(key);
  const ModelMetadata back = ModelMetadata::from_json(j, "meta");
  EXPECT_EQ(back.architecture.model_type, "bert");
  EXPECT_TRUE(back.architecture.token_type_embeddings);
  EXPECT_EQ(back.architecture.position_ids, architecture::PositionIds::kArange);
  EXPECT_EQ(back.architecture.classifier_head, architecture::ClassifierHead::kPooledTanh);
}

TEST(ModelMetadataFamily, UnknownModelTypeIsOneLineNamingTheFileAndTheValue) {
  Json j = family_sample("bert").to_json();
  j["architecture"]["model_type"] = "gpt2";
  const std::string e = family_metadata_error(j);
  EXPECT_NE(e.find("runs/x/model.jpqd"), std::string::npos) << e;
  EXPECT_NE(e.find("\"gpt2\""), std::string::npos) << e;
  EXPECT_NE(e.find("distilbert"), std::string::npos) << e << ": should list the known families";
  EXPECT_EQ(e.find('\n'), std::string::npos) << e;
}

TEST(ModelMetadataFamily, InconsistentFamilyFieldsAreRefused) {
  Json j = family_sample("distilbert").to_json();
  j["architecture"]["type_vocab_size"] = 2;
  EXPECT_NE(family_metadata_error(j).find("without token_type_embeddings"), std::string::npos);
  j = family_sample("roberta").to_json();
  j["architecture"]["position_ids"] = "sinusoidal";
  EXPECT_NE(family_metadata_error(j).find("position_ids: unsupported \"sinusoidal\""), std::string::npos);
  j = family_sample("roberta").to_json();
  j["architecture"]["padding_idx"] = 15;  // leaves no position for a token
  EXPECT_NE(family_metadata_error(j).find("leaves no position"), std::string::npos);
}

}  // namespace
}  // namespace jpqd::format
