#include "model/layer_stacking.h"

#include <gtest/gtest.h>

#include "model_test_util.h"

namespace jpqd::model {
namespace {

BertConfig shallow_config() { return testing::tiny_config(); }

TEST(LayerStacking, EveryLayerAppearsTwiceInOrder) {
  torch::manual_seed(1);
  Bert shallow(shallow_config(), TaskHead::kMaskedLM);
  Bert deep = stack_layers(*shallow);
  EXPECT_EQ(deep->config().num_hidden_layers, 4);
  EXPECT_EQ(deep->head(), TaskHead::kMaskedLM);
  auto src = shallow->named_parameters(true);
  auto dst = deep->named_parameters(true);
  for (int64_t layer = 0; layer < 4; ++layer) {
    const std::string name = "bert.encoder.layer." + std::to_string(layer) + ".attention.self.query.weight";
    const std::string from = "bert.encoder.layer." + std::to_string(layer / 2) + ".attention.self.query.weight";
    EXPECT_TRUE(torch::equal(dst[name], src[from])) << name;
  }
  EXPECT_FALSE(torch::equal(dst["bert.encoder.layer.1.output.dense.weight"], dst["bert.encoder.layer.2.output.dense.weight"]));
  EXPECT_TRUE(torch::equal(dst["bert.embeddings.word_embeddings.weight"], src["bert.embeddings.word_embeddings.weight"]));
  EXPECT_TRUE(torch::equal(dst["cls.predictions.transform.dense.weight"], src["cls.predictions.transform.dense.weight"]));
  // Copies, not shared storage: training the deep model leaves the shallow one alone.
  dst["bert.encoder.layer.0.attention.self.query.weight"].data().add_(1.0);
  EXPECT_FALSE(torch::equal(dst["bert.encoder.layer.0.attention.self.query.weight"],
                            src["bert.encoder.layer.0.attention.self.query.weight"]));
}

TEST(LayerStacking, PrunedWidthsAreRepeatedPerLayer) {
  BertConfig c = shallow_config();
  c.heads_per_layer = {2, 1};
  c.intermediate_per_layer = {24, 8};
  Bert shallow(c, TaskHead::kSequenceClassification);
  Bert deep = stack_layers(*shallow);
  EXPECT_EQ(deep->config().heads_per_layer, (std::vector<int64_t>{2, 2, 1, 1}));
  EXPECT_EQ(deep->config().intermediate_per_layer, (std::vector<int64_t>{24, 24, 8, 8}));
  deep->eval();
  BertInputs in;
  in.input_ids = torch::randint(5, 50, {2, 7}, torch::kLong);
  EXPECT_EQ(deep->forward(in).logits.sizes(), (std::vector<int64_t>{2, 2}));
}

}  // namespace
}  // namespace jpqd::model
