// The family descriptions (architecture/): tables that agree with themselves, the NNCF scopes and Hugging
// Face names each family is known by, and how checkpoint keys are read.
#include "architecture/architecture.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/error.h"

namespace jpqd::architecture {
namespace {

EncoderShape tiny_shape(const Architecture& a) {
  EncoderShape s;
  s.vocab_size = 50;
  s.hidden_size = 8;
  s.num_layers = 2;
  s.head_dim = 4;
  s.heads = {2, 1};
  s.intermediate = {6, 3};
  s.max_position_embeddings = 16;
  s.type_vocab_size = a.token_type_embeddings ? 2 : 0;
  s.num_labels = 3;
  s.pad_token_id = a.defaults.pad_token_id;
  return s;
}

constexpr TaskHead kHeads[] = {TaskHead::kSequenceClassification, TaskHead::kQuestionAnswering, TaskHead::kMaskedLM};

TEST(ArchitectureDescription, EveryHookableNodeIsAModuleAndEveryLinearANode) {
  for (const Architecture* a : all_architectures()) {
    for (TaskHead head : kHeads) {
      SCOPED_TRACE(a->head_class(head));
      const std::vector<ModuleSpec> table = a->modules(*a, tiny_shape(*a), head);
      std::map<std::string, const ModuleSpec*> modules;
      for (const auto& m : table) {
        EXPECT_TRUE(modules.emplace(m.path, &m).second) << "duplicate module " << m.path;
      }
      std::set<std::string> linear_nodes, scopes;
      for (const auto& n : a->nodes(*a, tiny_shape(*a), head)) {
        EXPECT_TRUE(scopes.insert(n.scope).second) << "duplicate scope " << n.scope;
        if (n.kind == NodeKind::kLinear || n.kind == NodeKind::kEmbedding) {
          auto it = modules.find(n.name);
          ASSERT_NE(it, modules.end()) << n.name;
          EXPECT_EQ(it->second->role, n.role) << n.name;
          EXPECT_EQ(it->second->layer, n.layer) << n.name;
        }
        if (n.kind == NodeKind::kLinear) linear_nodes.insert(n.name);
      }
      for (const auto& [path, m] : modules)
        if (m->type == ModuleType::kLinear) {
          EXPECT_TRUE(linear_nodes.count(path)) << path << " is no graph node";
        }
    }
  }
}

TEST(ArchitectureDescription, EveryLayerHasTheRolesCompressionNeeds) {
  for (const Architecture* a : all_architectures()) {
    SCOPED_TRACE(a->model_type);
    for (int layer = 0; layer < 2; ++layer)
      for (NodeRole role : {NodeRole::kQuery, NodeRole::kKey, NodeRole::kValue, NodeRole::kAttentionOutput,
                            NodeRole::kIntermediate, NodeRole::kOutput, NodeRole::kAttentionLayerNorm,
                            NodeRole::kOutputLayerNorm})
        EXPECT_FALSE(a->module_path(role, layer).empty()) << static_cast<int>(role) << " in layer " << layer;
    EXPECT_EQ(a->module_path(NodeRole::kTokenTypeEmbeddings).empty(), !a->token_type_embeddings);
  }
}

TEST(ArchitectureDescription, PrunedShapesGiveSlicedTensors) {
  const Architecture& d = distilbert_architecture();
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& t : d.tensors(tiny_shape(d), TaskHead::kSequenceClassification)) shapes[t.name] = t.shape;
  EXPECT_EQ(shapes["distilbert.transformer.layer.1.attention.q_lin.weight"], (std::vector<int64_t>{4, 8}));
  EXPECT_EQ(shapes["distilbert.transformer.layer.1.attention.out_lin.weight"], (std::vector<int64_t>{8, 4}));
  EXPECT_EQ(shapes["distilbert.transformer.layer.0.ffn.lin2.weight"], (std::vector<int64_t>{8, 6}));
  EXPECT_EQ(shapes["classifier.weight"], (std::vector<int64_t>{3, 8}));
}

std::map<std::string, std::string> scope_by_name(const Architecture& a, TaskHead head) {
  std::map<std::string, std::string> out;
  for (const auto& n : a.nodes(a, tiny_shape(a), head)) out[n.name] = n.scope;
  return out;
}

TEST(ArchitectureDescription, NncfScopesAsNncfNamesEachFamily) {
  auto distil = scope_by_name(distilbert_architecture(), TaskHead::kSequenceClassification);
  EXPECT_EQ(distil["distilbert.transformer.layer.0.attention.q_lin"],
            "DistilBertForSequenceClassification/DistilBertModel[distilbert]/Transformer[transformer]/ModuleList[layer]/"
            "TransformerBlock[0]/MultiHeadSelfAttention[attention]/NNCFLinear[q_lin]/linear_0");
  EXPECT_EQ(distil["distilbert.transformer.layer.1.ffn.lin1"],
            "DistilBertForSequenceClassification/DistilBertModel[distilbert]/Transformer[transformer]/ModuleList[layer]/"
            "TransformerBlock[1]/FFN[ffn]/NNCFLinear[lin1]/linear_0");
  EXPECT_EQ(distil["pre_classifier"], "DistilBertForSequenceClassification/NNCFLinear[pre_classifier]/linear_0");
  auto roberta = scope_by_name(roberta_architecture(), TaskHead::kSequenceClassification);
  EXPECT_EQ(roberta["roberta.encoder.layer.0.attention.self.query"],
            "RobertaForSequenceClassification/RobertaModel[roberta]/RobertaEncoder[encoder]/ModuleList[layer]/"
            "RobertaLayer[0]/RobertaAttention[attention]/RobertaSelfAttention[self]/NNCFLinear[query]/linear_0");
  EXPECT_NE(roberta["roberta.encoder.layer.0.intermediate.dense"].find("/RobertaIntermediate[intermediate]/"),
            std::string::npos);
  EXPECT_NE(roberta["roberta.encoder.layer.0.output.dense"].find("/RobertaOutput[output]/"), std::string::npos);
  EXPECT_EQ(roberta["classifier.out_proj"],
            "RobertaForSequenceClassification/RobertaClassificationHead[classifier]/NNCFLinear[out_proj]/linear_0");
  auto xlmr = scope_by_name(xlm_roberta_architecture(), TaskHead::kMaskedLM);
  EXPECT_EQ(xlmr["lm_head.dense"], "XLMRobertaForMaskedLM/XLMRobertaLMHead[lm_head]/NNCFLinear[dense]/linear_0");
}

TEST(ArchitectureDescription, CheckpointKeysOfEachFamily) {
  const Architecture& bert = bert_architecture();
  EXPECT_EQ(bert.canonical_key("encoder.layer.0.output.LayerNorm.gamma", TaskHead::kQuestionAnswering).name,
            "bert.encoder.layer.0.output.LayerNorm.weight");
  EXPECT_EQ(bert.canonical_key("bert.pooler.dense.weight", TaskHead::kQuestionAnswering).name, "");
  EXPECT_EQ(bert.canonical_key("bert.pooler.dense.weight", TaskHead::kSequenceClassification).name,
            "bert.pooler.dense.weight");
  const Architecture& roberta = roberta_architecture();
  EXPECT_EQ(roberta.canonical_key("roberta.pooler.dense.weight", TaskHead::kSequenceClassification).name, "");
  const CheckpointKey tied = roberta.canonical_key("lm_head.decoder.weight", TaskHead::kMaskedLM);
  EXPECT_EQ(tied.name, "roberta.embeddings.word_embeddings.weight");
  EXPECT_TRUE(tied.tied);
  EXPECT_EQ(roberta.canonical_key("lm_head.decoder.bias", TaskHead::kMaskedLM).name, "lm_head.bias");
  EXPECT_EQ(roberta.canonical_key("roberta.embeddings.position_ids", TaskHead::kMaskedLM).name, "");
  const Architecture& distil = distilbert_architecture();
  EXPECT_EQ(distil.canonical_key("transformer.layer.1.ffn.lin2.bias", TaskHead::kSequenceClassification).name,
            "distilbert.transformer.layer.1.ffn.lin2.bias");
  EXPECT_EQ(distil.canonical_key("vocab_projector.weight", TaskHead::kMaskedLM).name,
            "distilbert.embeddings.word_embeddings.weight");
  EXPECT_TRUE(distil.owns_key("distilbert.embeddings.LayerNorm.bias"));
  EXPECT_FALSE(distil.owns_key("roberta.embeddings.LayerNorm.bias"));
  EXPECT_EQ(distil.file_name("distilbert.transformer.layer.0.attention.q_lin"), "transformer.layer.0.attention.q_lin");
}

TEST(ArchitectureDescription, UnknownModelTypeIsOneLineNamingFileAndValue) {
  EXPECT_EQ(&architecture_for("xlm-roberta", "c"), &xlm_roberta_architecture());
  try {
    architecture_for("gpt2", "dir/config.json");
    FAIL() << "no error";
  } catch (const FormatError& e) {
    EXPECT_STREQ(e.what(), "dir/config.json: model_type \"gpt2\" is not supported (bert, distilbert, roberta, "
                           "xlm-roberta)");
  }
}

}  // namespace
}  // namespace jpqd::architecture
