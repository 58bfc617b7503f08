#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "common/file_io.h"
#include "compression/sparsity/movement/build_movement_sparsity.h"
#include "movement_test_graph.h"

namespace jpqd::compression {
namespace {

using testing::TinyBertGraph;

// docs/algorithms.md 5.1's movement section with blocks sized for the tiny graph (head_dim 4).
MovementSparsityConfig glue_like(int64_t start = 1, int64_t end = 2, std::optional<int64_t> spe = std::nullopt) {
  MovementSparsityConfig c;
  c.warmup_start_epoch = start;
  c.warmup_end_epoch = end;
  c.importance_regularization_factor = 0.05;
  c.steps_per_epoch = spe;
  SparseStructureEntry block;
  block.mode = SparseStructureMode::kBlock;
  block.block_rows = block.block_cols = 4;
  block.target_scopes = {"{re}.*BertAttention.*"};
  SparseStructureEntry rows;
  rows.mode = SparseStructureMode::kPerDim;
  rows.axis = 0;
  rows.target_scopes = {"{re}.*BertIntermediate.*"};
  SparseStructureEntry cols = rows;
  cols.axis = 1;
  cols.target_scopes = {"{re}.*BertOutput.*"};
  c.sparse_structure_by_scopes = {block, rows, cols};
  c.ignored_scopes = {"{re}.*NNCFEmbedding.*", "{re}.*LayerNorm.*", "{re}.*pooler.*", "{re}.*classifier.*"};
  return c;
}

MovementBuildOptions options(const TinyBertGraph& g) {
  MovementBuildOptions o;
  o.head_dim = g.head_dim();
  o.model_parameters = g.parameters();
  return o;
}

void expect_invalid(const std::function<void()>& f, std::initializer_list<std::string> fragments) {
  try {
    f();
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    for (const auto& s : fragments) EXPECT_NE(std::string(e.what()).find(s), std::string::npos) << e.what();
  }
}

size_t hooked(const TinyBertGraph& g) {
  size_t n = 0;
  for (const auto& l : g.linears) n += l->params_hooks().size();
  return n;
}

TEST(MovementController, SelectsLayersAndStructuresLikeNncf) {
  TinyBertGraph g;
  auto c = build_movement_sparsity(glue_like(), g.graph, options(g));
  EXPECT_EQ(c->name(), "movement_sparsity");
  ASSERT_EQ(c->layers().size(), 12u);  // 6 per encoder layer; pooler and classifier ignored
  for (const auto& l : c->layers()) {
    const auto& s = *l.sparsifier;
    switch (l.role) {
      case model::NodeRole::kIntermediate:
        EXPECT_EQ(s.weight_importance.sizes().vec(), (std::vector<int64_t>{6, 1})) << l.name;
        break;
      case model::NodeRole::kOutput:
        EXPECT_EQ(s.weight_importance.sizes().vec(), (std::vector<int64_t>{1, 6})) << l.name;
        EXPECT_EQ(s.bias_importance.sizes().vec(), (std::vector<int64_t>{1})) << l.name;
        break;
      default:
        EXPECT_EQ(s.mode(), SparseStructureMode::kBlock) << l.name;
        EXPECT_EQ(s.weight_importance.sizes().vec(), (std::vector<int64_t>{2, 2})) << l.name;
    }
    ASSERT_EQ(l.linear->params_hooks().size(), 1u);
    EXPECT_EQ(l.linear->params_hooks()[0].first, "sparsifier");
  }
  EXPECT_EQ(g.node("bert.pooler.dense").linear->params_hooks().size(), 0u);
  // Two groups per encoder layer.
  ASSERT_EQ(c->structured_masks().groups().size(), 4u);
  EXPECT_EQ(c->structured_masks().groups()[0].type, "MHSA");
  EXPECT_EQ(c->structured_masks().groups()[0].members.size(), 4u);
  EXPECT_EQ(c->structured_masks().groups()[1].type, "FF");
}

TEST(MovementController, UnmatchedLayersAreFineAndTargetScopesRestrict) {
  TinyBertGraph g;
  auto config = glue_like();
  config.sparse_structure_by_scopes.clear();
  config.ignored_scopes = {"{re}.*classifier.*"};
  config.target_scopes = {"{re}.*BertLayer\\[1\\].*", "{re}.*pooler.*"};
  config.enable_structured_masking = false;
  auto c = build_movement_sparsity(config, g.graph, options(g));
  ASSERT_EQ(c->layers().size(), 7u);
  for (const auto& l : c->layers()) {
    EXPECT_TRUE(l.layer_index == 1 || l.name == "bert.pooler.dense") << l.name;
    EXPECT_EQ(l.sparsifier->mode(), SparseStructureMode::kFine);
    EXPECT_EQ(l.sparsifier->weight_importance.sizes(), l.linear->weight.sizes());
  }
}

TEST(MovementController, ConfigErrorsNameTheCulpritAndLeaveTheModelUntouched) {
  {
    TinyBertGraph g;
    auto config = glue_like();
    config.ignored_scopes.push_back("{re}.*qa_outputs.*");
    expect_invalid([&] { build_movement_sparsity(config, g.graph, options(g)); },
                   {"movement_sparsity.ignored_scopes", "{re}.*qa_outputs.*", "matches no node"});
    EXPECT_EQ(hooked(g), 0u);
  }
  {
    TinyBertGraph g;
    auto config = glue_like();
    config.sparse_structure_by_scopes[1].target_scopes = {"{re}.*Intermediat3.*"};
    expect_invalid([&] { build_movement_sparsity(config, g.graph, options(g)); },
                   {"sparse_structure_by_scopes[1].target_scopes", "Intermediat3"});
  }
  {
    TinyBertGraph g;
    auto config = glue_like();
    config.target_scopes = {"nothing"};
    expect_invalid([&] { build_movement_sparsity(config, g.graph, options(g)); }, {"target_scopes", "\"nothing\""});
  }
  {
    TinyBertGraph g;
    auto config = glue_like();
    config.sparse_structure_by_scopes[1].target_scopes = {"{re}.*BertIntermediate.*", "{re}.*BertLayer\\[0\\].*"};
    expect_invalid([&] { build_movement_sparsity(config, g.graph, options(g)); },
                   {"bert.encoder.layer.0.attention.self.query", "[0] and [1]"});
    EXPECT_EQ(hooked(g), 0u);
  }
  {
    TinyBertGraph g;
    auto config = glue_like();
    config.sparse_structure_by_scopes[0].block_rows = 3;
    expect_invalid([&] { build_movement_sparsity(config, g.graph, options(g)); },
                   {"bert.encoder.layer.0.attention.self.query", "[8, 8]", "[3, 4]"});
    EXPECT_EQ(hooked(g), 0u);
  }
  {
    TinyBertGraph g;
    auto o = options(g);
    o.num_train_epochs = 1;
    expect_invalid([&] { build_movement_sparsity(glue_like(1, 2), g.graph, o); },
                   {"warmup_end_epoch", "2", "1 training epochs"});
  }
  {
    TinyBertGraph g;
    auto config = glue_like();
    config.target_scopes = {"{re}.*pooler.*"};
    expect_invalid([&] { build_movement_sparsity(config, g.graph, options(g)); }, {"no Linear layer left"});
  }
}

TEST(MovementController, GroupWithAnUnsparsifiedMemberIsDropped) {
  TinyBertGraph g;
  auto config = glue_like();
  config.ignored_scopes.push_back("{re}.*BertLayer\\[0\\].*NNCFLinear\\[key\\].*");
  auto c = build_movement_sparsity(config, g.graph, options(g));
  EXPECT_EQ(c->layers().size(), 11u);
  ASSERT_EQ(c->structured_masks().groups().size(), 3u);
  EXPECT_EQ(c->structured_masks().groups()[0].type, "FF");
  EXPECT_EQ(c->structured_masks().groups()[0].layer_index, 0);
}

TEST(MovementController, InitThresholdIsTheKthSmallestExpandedScore) {
  TinyBertGraph g(3);
  auto c = build_movement_sparsity(glue_like(), g.graph, options(g));
  torch::manual_seed(11);
  std::vector<torch::Tensor> expanded;
  {
    torch::NoGradGuard ng;
    for (const auto& l : c->layers()) {
      l.sparsifier->weight_importance.copy_(torch::randn(l.sparsifier->weight_importance.sizes()));
      l.sparsifier->bias_importance.copy_(torch::randn(l.sparsifier->bias_importance.sizes()));
      expanded.push_back(l.sparsifier->expanded_weight_importance().flatten());
      expanded.push_back(l.sparsifier->expanded_bias_importance().flatten());
    }
  }
  const auto all = torch::cat(expanded);
  const int64_t n = all.numel();
  const int64_t k = std::min<int64_t>(n, n / 1000 + 1);
  EXPECT_EQ(c->compute_init_threshold(), std::get<0>(all.kthvalue(k)).item<double>());
}

TEST(MovementController, StatisticsCountMaskedZerosOverModelAndLinearLayers) {
  TinyBertGraph g(1);
  auto c = build_movement_sparsity(glue_like(), g.graph, options(g));
  // Mask the whole query weight (64) and its bias (8), plus one column of output.dense (8 weights).
  auto* q = c->layers()[0].sparsifier.get();
  q->set_weight_mask(torch::zeros({8, 8}));
  q->set_bias_mask(torch::zeros({8}));
  auto* out = c->layers()[5].sparsifier.get();
  auto m = torch::ones({8, 6});
  m.select(1, 2).zero_();
  out->set_weight_mask(m);
  // A natural zero in the (unsparsified) classifier counts for the model only.
  {
    torch::NoGradGuard ng;
    g.node("classifier").linear->weight[0][0] = 0;
  }
  int64_t model_params = 0;
  for (const auto& p : g.parameters()) model_params += p.numel();
  const int64_t linear_params = 4 * (64 + 8) + (48 + 6) + (48 + 8);
  const Json s = c->statistics();
  EXPECT_DOUBLE_EQ(s["linear_layer_sparsity"].get<double>(), 80.0 / linear_params);
  EXPECT_DOUBLE_EQ(s["model_sparsity"].get<double>(), 81.0 / model_params);
  EXPECT_DOUBLE_EQ(s["importance_regularization_factor"].get<double>(), 0.0);
  EXPECT_FALSE(s.contains("importance_threshold"));  // -inf before warm-up
  const Json table = c->layer_statistics();
  ASSERT_EQ(table.size(), 6u);
  EXPECT_EQ(table[0]["name"], "bert.encoder.layer.0.attention.self.query");
  EXPECT_DOUBLE_EQ(table[0]["sparsity_level"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(table[0]["percentage"].get<double>(), 100.0 * 72 / linear_params);
}

// A few SGD steps on a toy loss through every sparsified layer; returns nothing, moves scores and weights.
void train_steps(TinyBertGraph& g, MovementSparsityController& c, torch::optim::Optimizer& opt, int steps,
                 int steps_per_epoch, int& global) {
  for (int i = 0; i < steps; ++i, ++global) {
    if (global % steps_per_epoch == 0) c.epoch_step();
    c.step();
    torch::Tensor loss = c.loss();
    torch::manual_seed(1000 + global);
    const auto x = torch::randn({4, 8});
    for (const auto& l : c.layers()) {
      const auto in = l.linear->in_features == 8 ? x : torch::randn({4, 6});
      loss = loss + l.linear->forward(in).pow(2).mean();
    }
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
}

std::vector<torch::Tensor> all_params(const TinyBertGraph& g, const MovementSparsityController& c) {
  std::vector<torch::Tensor> p = g.parameters();
  for (const auto& l : c.layers())
    for (const auto& t : l.sparsifier->parameters()) p.push_back(t);
  return p;
}

TEST(MovementController, StateSaveAndLoadMidWarmupContinuesIdentically) {
  const int spe = 3, total = 12, split = 5;  // warm-up over epochs 1-2 (steps 3-8); split inside it
  auto config = glue_like(1, 3);
  config.importance_regularization_factor = 5.0;

  TinyBertGraph ga;
  auto a = build_movement_sparsity(config, ga.graph, options(ga));
  torch::optim::SGD opt_a(all_params(ga, *a), 0.5);
  int ia = 0;
  train_steps(ga, *a, opt_a, total, spe, ia);

  TinyBertGraph gb;
  auto b = build_movement_sparsity(config, gb.graph, options(gb));
  torch::optim::SGD opt_b(all_params(gb, *b), 0.5);
  int ib = 0;
  train_steps(gb, *b, opt_b, split, spe, ib);
  const Json state = Json::parse(b->state().dump());
  EXPECT_EQ(state["current_step"], split - 1);
  EXPECT_FALSE(state["frozen"].get<bool>());

  // A fresh model gets B's tensors (what the checkpoint carries) and the controller state.
  TinyBertGraph gc;
  auto c = build_movement_sparsity(config, gc.graph, options(gc));
  {
    torch::NoGradGuard ng;
    auto from = all_params(gb, *b), to = all_params(gc, *c);
    for (size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
    for (size_t i = 0; i < c->layers().size(); ++i) {
      c->layers()[i].sparsifier->set_weight_mask(b->layers()[i].sparsifier->weight_mask());
      c->layers()[i].sparsifier->set_bias_mask(b->layers()[i].sparsifier->bias_mask());
    }
  }
  c->load_state(state);
  torch::optim::SGD opt_c(all_params(gc, *c), 0.5);
  int ic = split;
  train_steps(gc, *c, opt_c, total - split, spe, ic);

  EXPECT_TRUE(a->frozen());
  EXPECT_TRUE(c->frozen());
  EXPECT_EQ(c->state(), a->state());
  for (size_t i = 0; i < a->layers().size(); ++i) {
    EXPECT_TRUE(torch::equal(a->layers()[i].sparsifier->weight_mask(), c->layers()[i].sparsifier->weight_mask())) << i;
    EXPECT_TRUE(torch::equal(a->layers()[i].linear->weight, c->layers()[i].linear->weight)) << i;
  }
}

TEST(MovementController, LoadingAFrozenStateFreezesTheLayers) {
  TinyBertGraph g;
  auto c = build_movement_sparsity(glue_like(), g.graph, options(g));
  c->load_state(Json::parse(R"({"current_step":8,"current_epoch":2,"steps_in_current_epoch":3,"frozen":true,
      "init_importance_threshold":-0.1,"steps_per_epoch":3,"structured_done":true})"));
  EXPECT_TRUE(c->frozen());
  EXPECT_TRUE(c->structured_masking_done());
  for (const auto& l : c->layers()) EXPECT_TRUE(l.sparsifier->frozen());
  EXPECT_EQ(c->loss().item<double>(), 0.0);
  EXPECT_THROW(c->load_state(Json::parse(R"({"current_step":"x"})")), Error);
}

TEST(MovementController, StructuredMaskingAtWarmupEndWritesReportsAndFreezes) {
  const auto dir = std::filesystem::temp_directory_path() / "jpqd_movement_structured_test";
  std::filesystem::remove_all(dir);
  TinyBertGraph g;
  auto config = glue_like(1, 2, 2);
  config.init_importance_threshold = -0.5;
  auto c = build_movement_sparsity(config, g.graph, options(g));
  c->set_output_dir(dir.string());
  // Scores: in layer 0 only head 0 of V and neuron 3 of the intermediate survive; layer 1 keeps everything.
  {
    torch::NoGradGuard ng;
    for (const auto& l : c->layers()) {
      const bool layer0 = l.layer_index == 0;
      l.sparsifier->weight_importance.fill_(layer0 ? -1.0 : 1.0);
      l.sparsifier->bias_importance.fill_(layer0 ? -1.0 : 1.0);
      if (layer0 && l.role == model::NodeRole::kValue) l.sparsifier->weight_importance[0][1] = 1.0;
      if (layer0 && l.role == model::NodeRole::kIntermediate) l.sparsifier->weight_importance[3][0] = 1.0;
    }
  }
  for (int step = 0; step < 5; ++step) {
    if (step % 2 == 0) c->epoch_step();
    c->step();
    if (step == 3) {  // last warm-up step: its forward produces the masks structured masking reads
      for (const auto& l : c->layers()) l.linear->forward(torch::randn({1, l.linear->in_features}));
    }
  }
  ASSERT_TRUE(c->frozen());
  ASSERT_TRUE(c->structured_masking_done());
  const auto q0 = c->layers()[0].sparsifier->weight_mask();  // layer 0 query: head 0 rows kept
  EXPECT_TRUE(torch::equal(q0.slice(0, 0, 4), torch::ones({4, 8})));
  EXPECT_TRUE(torch::equal(q0.slice(0, 4, 8), torch::zeros({4, 8})));
  EXPECT_TRUE(torch::equal(c->layers()[0].sparsifier->bias_mask(), torch::tensor({1.f, 1.f, 1.f, 1.f, 0.f, 0.f, 0.f, 0.f})));
  const auto o0 = c->layers()[3].sparsifier->weight_mask();  // attention output: head 0 columns
  EXPECT_TRUE(torch::equal(o0.slice(1, 0, 4), torch::ones({8, 4})));
  EXPECT_TRUE(torch::equal(o0.slice(1, 4, 8), torch::zeros({8, 4})));
  const auto i0 = c->layers()[4].sparsifier->weight_mask();
  EXPECT_TRUE(torch::equal(i0.amax(1), torch::tensor({0.f, 0.f, 0.f, 1.f, 0.f, 0.f})));
  const auto out0 = c->layers()[5].sparsifier->weight_mask();
  EXPECT_TRUE(torch::equal(out0.amax(0), torch::tensor({0.f, 0.f, 0.f, 1.f, 0.f, 0.f})));
  for (const auto& l : c->layers()) {
    EXPECT_TRUE(l.sparsifier->frozen());
    if (l.layer_index == 1) {
      EXPECT_TRUE(torch::equal(l.sparsifier->weight_mask(), torch::ones_like(l.linear->weight)));
    }
  }
  // Frozen masks survive further training-mode forwards.
  c->step();
  for (const auto& l : c->layers()) l.linear->forward(torch::randn({1, l.linear->in_features}));
  EXPECT_TRUE(torch::equal(c->layers()[0].sparsifier->weight_mask(), q0));

  const std::string csv = read_text_file((dir / "structured_sparsity.csv").string());
  EXPECT_NE(csv.find("0,0,MHSA,bert.encoder.layer.0.attention.self.query,\"(8, 8)\",\"(4, 8)\",\"(8,)\",\"(4,)\",[0],"
                     "BertForSequenceClassification/BertModel[bert]/BertEncoder[encoder]/ModuleList[layer]/BertLayer[0]/"
                     "BertAttention[attention]/BertSelfAttention[self]/NNCFLinear[query]/linear_0\n"),
            std::string::npos)
      << csv;
  const Json summary = read_json_file((dir / "structured_sparsity.json").string());
  EXPECT_EQ(summary["layers"][0]["attention"]["heads_kept"], Json::array({0}));
  EXPECT_EQ(summary["layers"][0]["ffn"]["neurons_kept"], 1);
  EXPECT_EQ(summary["layers"][1]["attention"]["num_heads_kept"], 2);
  EXPECT_EQ(summary["layers"][1]["ffn"]["neurons_kept"], 6);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace jpqd::compression
