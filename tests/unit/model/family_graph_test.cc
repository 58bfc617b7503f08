// The other families as modules: names exactly the family's Hugging Face names, a graph whose hookable nodes
// all resolve, named random shapes, and the shipped per-family JPQD configs selecting the right Linears.
#include <gtest/gtest.h>

#include <regex>

#include "common/file_io.h"
#include "model/bert.h"

namespace jpqd::model {
namespace {

BertConfig tiny_family_config(const std::string& model_type) {
  BertConfig c = BertConfig::defaults_for(model_type, "test");
  c.vocab_size = 40;
  c.hidden_size = 8;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.intermediate_size = 6;
  c.max_position_embeddings = 20;
  if (c.architecture().token_type_embeddings) c.type_vocab_size = 1;
  return c;
}

std::vector<std::string> registered_names(BertImpl& m) {
  std::vector<std::string> out;
  for (const auto& p : m.named_parameters(true)) out.push_back(p.key());
  for (const auto& b : m.named_buffers(true)) out.push_back(b.key());
  return out;
}

constexpr TaskHead kAllHeads[] = {TaskHead::kSequenceClassification, TaskHead::kQuestionAnswering,
                                  TaskHead::kMaskedLM};

TEST(FamilyModules, RegisteredNamesAreExactlyTheFamilysHfNamesAndTheGraphResolves) {
  for (const char* family : {"distilbert", "roberta", "xlm-roberta"}) {
    for (TaskHead head : kAllHeads) {
      Bert m(tiny_family_config(family), head);
      SCOPED_TRACE(m->architecture().head_class(head));
      EXPECT_EQ(registered_names(*m), m->hf_parameter_names());
      for (const auto& node : m->graph()) {
        if (node.kind == NodeKind::kLinear) {
          EXPECT_NE(node.linear, nullptr) << node.name;
        } else if (node.kind == NodeKind::kEmbedding || node.kind == NodeKind::kActivation) {
          EXPECT_NE(node.hook_point, nullptr) << node.name;
        }
      }
    }
  }
}

TEST(FamilyModules, NamedRandomShapesRunOnPaddedBatches) {
  for (const char* name : {"distilbert-tiny", "roberta-tiny"}) {
    SCOPED_TRACE(name);
    auto config = BertConfig::named_shape(name);
    ASSERT_TRUE(config);
    config->vocab_size = 64;  // keep the test small; the shape's vocabulary is the base checkpoint's
    Bert m(*config, TaskHead::kSequenceClassification);
    m->eval();
    const int64_t pad = config->pad_token_id;
    torch::Tensor ids = torch::randint(3, 64, {2, 7});
    torch::Tensor mask = torch::ones({2, 7}, torch::kLong);
    ids.index_put_({1, torch::indexing::Slice(4, torch::indexing::None)}, pad);
    mask.index_put_({1, torch::indexing::Slice(4, torch::indexing::None)}, 0);
    torch::NoGradGuard no_grad;
    const torch::Tensor padded = m->forward({ids, mask}).logits;
    const torch::Tensor alone = m->forward({ids.slice(0, 1, 2).slice(1, 0, 4), mask.slice(0, 1, 2).slice(1, 0, 4)}).logits;
    EXPECT_LT((padded[1] - alone[0]).abs().max().item<double>(), 1e-5) << "padding changed the first token's logits";
  }
  EXPECT_EQ(BertConfig::named_shape("roberta-base")->max_position_embeddings, 514);
  EXPECT_EQ(BertConfig::named_shape("distilbert-base")->num_hidden_layers, 6);
}

// Every scope string of a config: ignored/target scopes, sparse structure targets, override keys.
void collect_scopes(const Json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    for (const auto& item : j.items()) {
      if ((item.key() == "ignored_scopes" || item.key() == "target_scopes")) {
        if (item.value().is_string()) out.push_back(item.value().get<std::string>());
        else
          for (const auto& s : item.value()) out.push_back(s.get<std::string>());
      } else if (item.key() == "activations" || item.key() == "weights") {
        for (const auto& o : item.value().items())
          if (o.key().rfind("{re}", 0) == 0) out.push_back(o.key());
        collect_scopes(item.value(), out);
      } else {
        collect_scopes(item.value(), out);
      }
    }
  } else if (j.is_array()) {
    for (const auto& e : j) collect_scopes(e, out);
  }
}

bool scope_selects(const std::string& pattern, const std::string& scope) {
  if (pattern.rfind("{re}", 0) == 0) return std::regex_search(scope, std::regex(pattern.substr(4)));
  return pattern == scope;
}

void expect_config_fits(const std::string& config_file, const std::string& model_type) {
  SCOPED_TRACE(config_file);
  const Json config = read_json_file(std::string(JPQD_SOURCE_DIR) + "/configs/" + config_file);
  Bert m(tiny_family_config(model_type), TaskHead::kSequenceClassification);
  const ModelGraph graph = m->graph();
  std::vector<std::string> scopes;
  collect_scopes(config, scopes);
  ASSERT_GT(scopes.size(), 5u);
  for (const auto& pattern : scopes) {
    bool found = false;
    for (const auto& node : graph) found = found || scope_selects(pattern, node.scope);
    EXPECT_TRUE(found) << pattern << " selects nothing in a " << model_type;
  }
  // The structured masking groups: attention blocks on Q, K, V and the attention output; FFN rows on the
  // intermediate Linear, columns on the output Linear; nothing else.
  const Json& structures = config[0]["sparse_structure_by_scopes"];
  const std::vector<std::vector<NodeRole>> want = {
      {NodeRole::kQuery, NodeRole::kKey, NodeRole::kValue, NodeRole::kAttentionOutput},
      {NodeRole::kIntermediate},
      {NodeRole::kOutput}};
  for (size_t i = 0; i < want.size(); ++i) {
    std::set<NodeRole> selected;
    int linears = 0;
    for (const auto& node : graph)
      if (node.kind == NodeKind::kLinear && scope_selects(structures[i]["target_scopes"], node.scope)) {
        selected.insert(node.role);
        ++linears;
      }
    EXPECT_EQ(selected, std::set<NodeRole>(want[i].begin(), want[i].end())) << structures[i].dump();
    EXPECT_EQ(linears, static_cast<int>(want[i].size()) * 2) << structures[i].dump();  // two layers
  }
}

TEST(FamilyConfigs, ShippedJpqdConfigsSelectEachFamilysHeadsAndNeurons) {
  expect_config_fits("distilbert-jpqd.json", "distilbert");
  expect_config_fits("roberta-jpqd.json", "roberta");
  expect_config_fits("roberta-jpqd.json", "xlm-roberta");  // XLMRobertaAttention contains RobertaAttention
  expect_config_fits("bert-base-jpqd.json", "bert");
}

TEST(FamilyConfigs, BertScopesSelectNothingInDistilBert) {
  Bert m(tiny_family_config("distilbert"), TaskHead::kSequenceClassification);
  for (const auto& node : m->graph()) EXPECT_FALSE(scope_selects("{re}.*BertAttention.*", node.scope)) << node.scope;
}

}  // namespace
}  // namespace jpqd::model
