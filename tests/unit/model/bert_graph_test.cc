// Module names, hook points and the graph of NNCF-style scopes that compression configs select from.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "../compression/movement_test_graph.h"
#include "common/error.h"
#include "model/bert.h"

namespace jpqd::model {
namespace {

BertConfig tiny(int64_t layers = 1) {
  BertConfig c;
  c.vocab_size = 40;
  c.hidden_size = 8;
  c.num_hidden_layers = layers;
  c.num_attention_heads = 2;
  c.intermediate_size = 6;
  c.max_position_embeddings = 16;
  return c;
}

std::vector<std::string> registered(BertImpl& m) {
  std::vector<std::string> out;
  for (const auto& p : m.named_parameters(true)) out.push_back(p.key());
  for (const auto& b : m.named_buffers(true)) out.push_back(b.key());
  return out;
}

TEST(BertNames, RegisteredNamesAreExactlyHfNames) {
  for (TaskHead head : {TaskHead::kSequenceClassification, TaskHead::kQuestionAnswering, TaskHead::kMaskedLM}) {
    Bert m(tiny(2), head);
    EXPECT_EQ(registered(*m), m->hf_parameter_names());
  }
  BertConfig pruned = tiny(2);
  pruned.heads_per_layer = {1, 0};
  pruned.intermediate_per_layer = {3, 0};
  Bert m(pruned, TaskHead::kSequenceClassification);
  EXPECT_EQ(registered(*m), m->hf_parameter_names());
  EXPECT_EQ(m->named_parameters()["bert.encoder.layer.1.attention.self.query.weight"].sizes(),
            (std::vector<int64_t>{0, 8}));
  EXPECT_EQ(m->named_parameters()["bert.encoder.layer.0.output.dense.weight"].sizes(), (std::vector<int64_t>{8, 3}));
}

TEST(BertNames, SpotCheckHfNames) {
  Bert m(tiny(1), TaskHead::kMaskedLM);
  const auto names = m->hf_parameter_names();
  const std::set<std::string> set(names.begin(), names.end());
  for (const char* n : {"bert.embeddings.word_embeddings.weight", "bert.embeddings.LayerNorm.weight",
                        "bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.0.attention.output.dense.bias",
                        "bert.encoder.layer.0.attention.output.LayerNorm.bias", "bert.encoder.layer.0.intermediate.dense.weight",
                        "bert.encoder.layer.0.output.LayerNorm.weight", "cls.predictions.bias",
                        "cls.predictions.transform.dense.weight", "cls.predictions.transform.LayerNorm.bias"})
    EXPECT_TRUE(set.count(n)) << n;
}

TEST(BertNames, HfInitialisation) {
  BertConfig c = tiny(1);
  c.vocab_size = 4000;
  c.hidden_size = 64;
  c.pad_token_id = 3;
  torch::manual_seed(0);
  Bert m(c, TaskHead::kSequenceClassification);
  auto p = m->named_parameters();
  const torch::Tensor words = p["bert.embeddings.word_embeddings.weight"];
  EXPECT_TRUE(torch::equal(words[3], torch::zeros({64})));
  // 256000 normal(0, 0.02) draws: the sample std is within 1% of 0.02 with overwhelming probability.
  EXPECT_NEAR(words.std().item<double>(), 0.02, 0.0002);
  EXPECT_TRUE(torch::equal(p["bert.encoder.layer.0.attention.self.query.bias"], torch::zeros({64})));
  EXPECT_TRUE(torch::equal(p["bert.embeddings.LayerNorm.weight"], torch::ones({64})));
}

struct RecordingHook : TensorHook {
  explicit RecordingHook(double scale) : scale(scale) { extra = register_parameter("extra", torch::ones({1})); }
  torch::Tensor transform(const torch::Tensor& x) override {
    ++calls;
    return x * scale;
  }
  double scale;
  int calls = 0;
  torch::Tensor extra;
};

TEST(BertGraph, HookPointsAreWiredAndAddOnlyTheirHooksState) {
  torch::manual_seed(1);
  Bert m(tiny(1), TaskHead::kSequenceClassification);
  m->eval();
  const BertInputs in{torch::tensor({{1, 5, 7, 2}}), torch::tensor({{1, 1, 1, 0}}), torch::tensor({{0, 0, 1, 1}})};
  const torch::Tensor base = m->forward(in).logits;
  std::map<NodeRole, std::shared_ptr<RecordingHook>> hooks;
  for (auto& node : m->graph()) {
    if (node.kind != NodeKind::kActivation && node.kind != NodeKind::kEmbedding) continue;
    ASSERT_NE(node.hook_point, nullptr) << node.name;
    auto hook = std::make_shared<RecordingHook>(0.5);
    node.hook_point->add("probe", hook, kQuantizationPriority);
    hooks[node.role] = hook;
  }
  EXPECT_EQ(hooks.size(), 6u);  // qkv input, two matmul_0 inputs, three embedding tables
  const torch::Tensor hooked = m->forward(in).logits;
  for (const auto& [role, hook] : hooks) EXPECT_EQ(hook->calls, 1) << static_cast<int>(role);
  EXPECT_FALSE(torch::allclose(base, hooked));
  std::set<std::string> extra;
  const auto hf = m->hf_parameter_names();
  for (const auto& name : registered(*m))
    if (std::find(hf.begin(), hf.end(), name) == hf.end()) extra.insert(name);
  EXPECT_EQ(extra, (std::set<std::string>{"bert.embeddings.word_embeddings.weight_hooks.probe.extra",
                                          "bert.embeddings.position_embeddings.weight_hooks.probe.extra",
                                          "bert.embeddings.token_type_embeddings.weight_hooks.probe.extra",
                                          "bert.encoder.layer.0.attention.self.qkv_input.probe.extra",
                                          "bert.encoder.layer.0.attention.self.matmul_0_input_0.probe.extra",
                                          "bert.encoder.layer.0.attention.self.matmul_0_input_1.probe.extra"}));
}

TEST(BertGraph, OneLayerScopesInForwardOrder) {
  Bert m(tiny(1), TaskHead::kSequenceClassification);
  std::vector<std::string> scopes;
  for (const auto& n : m->graph()) scopes.push_back(n.scope);
  const std::string r = "BertForSequenceClassification/";
  const std::string b = r + "BertModel[bert]/";
  const std::string e = b + "BertEmbeddings[embeddings]/";
  const std::string l = b + "BertEncoder[encoder]/ModuleList[layer]/BertLayer[0]/";
  const std::string s = l + "BertAttention[attention]/BertSelfAttention[self]/";
  const std::string o = l + "BertAttention[attention]/BertSelfOutput[output]/";
  const std::vector<std::string> want = {
      e + "NNCFEmbedding[word_embeddings]/embedding_0", e + "NNCFEmbedding[token_type_embeddings]/embedding_0",
      e + "__add___0", e + "NNCFEmbedding[position_embeddings]/embedding_0", e + "__iadd___0",
      e + "NNCFLayerNorm[LayerNorm]/layer_norm_0", e + "Dropout[dropout]/dropout_0", b + "__rsub___0", b + "__mul___0",
      s + "qkv_input", s + "NNCFLinear[query]/linear_0", s + "NNCFLinear[key]/linear_0", s + "NNCFLinear[value]/linear_0",
      s + "matmul_0|INPUT0", s + "matmul_0|INPUT1", s + "matmul_0", s + "__truediv___0", s + "__add___0",
      s + "softmax_0", s + "Dropout[dropout]/dropout_0", s + "matmul_1", o + "NNCFLinear[dense]/linear_0",
      o + "Dropout[dropout]/dropout_0", o + "__add___0", o + "NNCFLayerNorm[LayerNorm]/layer_norm_0",
      l + "BertIntermediate[intermediate]/NNCFLinear[dense]/linear_0",
      l + "BertIntermediate[intermediate]/GELUActivation[intermediate_act_fn]/gelu_0",
      l + "BertOutput[output]/NNCFLinear[dense]/linear_0", l + "BertOutput[output]/Dropout[dropout]/dropout_0",
      l + "BertOutput[output]/__add___0", l + "BertOutput[output]/NNCFLayerNorm[LayerNorm]/layer_norm_0",
      b + "BertPooler[pooler]/__getitem___0", b + "BertPooler[pooler]/NNCFLinear[dense]/linear_0",
      b + "BertPooler[pooler]/Tanh[activation]/tanh_0", r + "Dropout[dropout]/dropout_0",
      r + "NNCFLinear[classifier]/linear_0"};
  EXPECT_EQ(scopes, want);
}

std::vector<std::string> linears_matching(BertImpl& m, const std::string& re) {
  std::vector<std::string> out;
  for (const auto& n : m.graph())
    if (n.kind == NodeKind::kLinear && std::regex_search(n.scope, std::regex(re))) out.push_back(n.name);
  return out;
}

TEST(BertGraph, PublishedScopePatternsSelectTheIntendedLayers) {
  Bert m(tiny(1), TaskHead::kSequenceClassification);
  const std::string p = "bert.encoder.layer.0.";
  EXPECT_EQ(linears_matching(*m, ".*BertAttention.*"),
            (std::vector<std::string>{p + "attention.self.query", p + "attention.self.key", p + "attention.self.value",
                                      p + "attention.output.dense"}));
  EXPECT_EQ(linears_matching(*m, ".*BertIntermediate.*"), std::vector<std::string>{p + "intermediate.dense"});
  EXPECT_EQ(linears_matching(*m, ".*BertOutput.*"), std::vector<std::string>{p + "output.dense"});
  EXPECT_EQ(linears_matching(*m, ".*pooler.*"), std::vector<std::string>{"bert.pooler.dense"});
  EXPECT_EQ(linears_matching(*m, ".*classifier.*"), std::vector<std::string>{"classifier"});
  EXPECT_TRUE(linears_matching(*m, ".*LayerNorm.*").empty());
  EXPECT_TRUE(linears_matching(*m, ".*NNCFEmbedding.*").empty());
  // Op patterns of the quantization section: each matches nodes, so ignored_scopes naming them are valid.
  std::map<std::string, int> hits;
  for (const auto& n : m->graph())
    for (const char* re : {".*__add___[0-1]", ".*layer_norm_0", ".*matmul_0", ".*matmul_1", ".*__truediv__*",
                           ".*NNCFEmbedding.*"})
      if (std::regex_search(n.scope, std::regex(re))) ++hits[re];
  EXPECT_EQ(hits[".*__add___[0-1]"], 4);  // embeddings, mask, two residuals
  EXPECT_EQ(hits[".*layer_norm_0"], 3);
  EXPECT_EQ(hits[".*matmul_0"], 3);       // the op and its two inputs
  EXPECT_EQ(hits[".*matmul_1"], 1);
  EXPECT_EQ(hits[".*__truediv__*"], 1);
  EXPECT_EQ(hits[".*NNCFEmbedding.*"], 3);
  Bert qa(tiny(1), TaskHead::kQuestionAnswering);
  EXPECT_EQ(linears_matching(*qa, ".*qa_outputs.*"), std::vector<std::string>{"qa_outputs"});
  EXPECT_TRUE(linears_matching(*qa, ".*pooler.*").empty());
}

TEST(BertGraph, AgreesWithTheHandBuiltCompressionTestGraph) {
  compression::testing::TinyBertGraph hand(2);
  BertConfig c = tiny(2);
  c.intermediate_size = hand.intermediate;
  Bert m(c, TaskHead::kSequenceClassification);
  const ModelGraph ours = m->graph();
  for (const auto& h : hand.graph) {
    auto it = std::find_if(ours.begin(), ours.end(), [&](const ModelNode& n) { return n.scope == h.scope; });
    ASSERT_NE(it, ours.end()) << h.scope;
    EXPECT_EQ(it->name, h.name);
    EXPECT_EQ(it->kind, h.kind) << h.scope;
    EXPECT_EQ(it->role, h.role) << h.scope;
    EXPECT_EQ(it->layer_index, h.layer_index) << h.scope;
    if (h.kind == NodeKind::kLinear) {
      ASSERT_NE(it->linear, nullptr);
      EXPECT_EQ(it->linear->out_features, h.linear->out_features) << h.scope;
      EXPECT_EQ(it->linear->in_features, h.linear->in_features) << h.scope;
    }
  }
}

TEST(BertModule, LayerWithoutHeadsReducesAttentionToItsBias) {
  BertConfig c = tiny(1);
  c.heads_per_layer = {0};
  torch::manual_seed(2);
  Bert m(c, TaskHead::kQuestionAnswering);
  m->eval();
  BertConfig dense = c;
  dense.heads_per_layer.clear();
  // The same model with heads whose output projection is zero must agree: attention adds only the bias.
  Bert full(dense, TaskHead::kQuestionAnswering);
  full->eval();
  torch::NoGradGuard no_grad;
  auto pruned_params = m->named_parameters();
  for (auto& p : full->named_parameters()) {
    if (pruned_params.contains(p.key()) && pruned_params[p.key()].sizes() == p.value().sizes())
      p.value().copy_(pruned_params[p.key()]);
    else
      p.value().zero_();  // Q/K/V and the attention output weight: all-zero contributions
  }
  const BertInputs in{torch::tensor({{1, 5, 7, 2}}), torch::tensor({{1, 1, 1, 0}}), torch::Tensor()};
  EXPECT_TRUE(torch::allclose(m->forward(in).start_logits, full->forward(in).start_logits, 0, 1e-6));
}

TEST(BertModule, RejectsBadInputs) {
  Bert m(tiny(1), TaskHead::kSequenceClassification);
  EXPECT_THROW(m->forward({torch::tensor({{1, 40}})}), InvalidArgument);               // id outside vocab
  EXPECT_THROW(m->forward({torch::ones({1, 17}, torch::kLong)}), InvalidArgument);     // beyond max positions
  EXPECT_THROW(m->forward({torch::tensor({{1, 2}}), torch::ones({1, 3}, torch::kLong)}), InvalidArgument);
  EXPECT_THROW(m->forward({torch::tensor({{1, 2}}), {}, torch::tensor({{0, 2}})}), InvalidArgument);
  const BertOutputs out = m->forward({torch::tensor({{1, 2}})});
  BertLabels bad;
  bad.labels = torch::tensor({2});
  EXPECT_THROW(m->loss(out, bad), InvalidArgument);  // label 2 of a 2-label model
}

}  // namespace
}  // namespace jpqd::model
