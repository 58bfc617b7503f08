#include <gtest/gtest.h>

#include "compression/sparsity/movement/structured_mask_resolver.h"
#include "compression/sparsity/movement/structured_sparsity_report.h"

namespace jpqd::compression {
namespace {

torch::Tensor t2(std::vector<std::vector<float>> rows) {
  std::vector<torch::Tensor> r;
  for (auto& row : rows) r.push_back(torch::tensor(row));
  return torch::stack(r);
}

// Section 8: Q, K, V = [[1],[0]] and O = [[1,0]] resolve unchanged.
TEST(MovementStructured, OrRuleKeepsAgreeingMasks) {
  const auto q = t2({{1}, {0}});
  const auto o = t2({{1, 0}});
  const auto keep = StructuredMaskResolver::dependent_mask({q, q, q}, {o});
  EXPECT_TRUE(torch::equal(keep, t2({{1}, {0}})));
}

// Section 8: with V = [[0],[1]] every head is kept.
TEST(MovementStructured, OrRuleKeepsAHeadAnyMemberKeeps) {
  const auto q = t2({{1}, {0}});
  const auto v = t2({{0}, {1}});
  const auto o = t2({{1, 0}});
  EXPECT_TRUE(torch::equal(StructuredMaskResolver::dependent_mask({q, q, v}, {o}), t2({{1}, {1}})));
  // The column layer alone can keep a head too.
  EXPECT_TRUE(torch::equal(StructuredMaskResolver::dependent_mask({q}, {t2({{0, 1}})}), t2({{1}, {1}})));
}

TEST(MovementStructured, IndependentMaskIsAliveIfAnyElementOrBiasSurvives) {
  // 4x3 weight, row grid (2, 3): head 0 has one surviving element, head 1 none but a surviving bias.
  const auto w = t2({{0, 0, 0}, {0, 1, 0}, {0, 0, 0}, {0, 0, 0}});
  EXPECT_TRUE(torch::equal(StructuredMaskResolver::independent_mask(w, torch::Tensor(), 2, 3), t2({{1}, {0}})));
  EXPECT_TRUE(torch::equal(StructuredMaskResolver::independent_mask(w, torch::tensor({0.f, 0.f, 1.f, 0.f}), 2, 3),
                           t2({{1}, {1}})));
  // Column grid (4, 1): columns alive where anything survives; a column layer's bias cannot revive columns.
  EXPECT_TRUE(torch::equal(StructuredMaskResolver::independent_mask(w, torch::ones({4}), 4, 1), t2({{0, 1, 0}})));
  EXPECT_TRUE(torch::equal(StructuredMaskResolver::independent_mask(torch::zeros({4, 3}), torch::ones({4}), 4, 1),
                           t2({{0, 0, 0}})));
}

TEST(MovementStructured, InflateGivesWeightAndBiasMasks) {
  auto [w, b] = StructuredMaskResolver::inflate(t2({{1}, {0}}), 2, 3);
  EXPECT_TRUE(torch::equal(w, t2({{1, 1, 1}, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}})));
  EXPECT_TRUE(torch::equal(b, torch::tensor({1.f, 1.f, 0.f, 0.f})));
  auto [wc, bc] = StructuredMaskResolver::inflate(t2({{1, 0}}), 3, 2);
  EXPECT_TRUE(torch::equal(wc, t2({{1, 1, 0, 0}, {1, 1, 0, 0}, {1, 1, 0, 0}})));
  EXPECT_TRUE(torch::equal(bc, torch::ones({3})));  // a column layer keeps its bias unless all is pruned
}

struct AttentionGroup {
  // hidden 4, 2 heads of size 2: Q, K, V [4, 4] pruned by row, O [4, 4] pruned by column.
  std::vector<std::shared_ptr<MovementSparsifier>> layers;
  StructuredGroup group;
  AttentionGroup() {
    const char* names[] = {"q", "k", "v", "o"};
    for (int i = 0; i < 4; ++i) {
      layers.push_back(std::make_shared<MovementSparsifier>(4, 4, true, SparseStructureMode::kFine, SparseFactors{}));
      StructuredMember m;
      m.name = names[i];
      m.scope = std::string("scope/") + names[i];
      m.sparsifier = layers.back().get();
      m.prune_by_row = i < 3;
      m.grid_rows = i < 3 ? 2 : 4;
      m.grid_cols = i < 3 ? 4 : 2;
      group.members.push_back(m);
    }
    group.id = 0;
    group.type = "MHSA";
    group.layer_index = 0;
    group.block = 2;
  }
};

TEST(MovementStructured, ApplyPopulatesWholeHeadsAndRewindsMaskedElementsOfKeptHeads) {
  AttentionGroup a;
  // Q keeps one element of head 0; K and V keep nothing; O keeps one element of head 0's columns.
  auto q = torch::zeros({4, 4});
  q[1][3] = 1;
  a.layers[0]->set_weight_mask(q);
  for (int i = 0; i < 4; ++i) a.layers[i]->set_bias_mask(torch::zeros({4}));
  a.layers[1]->set_weight_mask(torch::zeros({4, 4}));
  a.layers[2]->set_weight_mask(torch::zeros({4, 4}));
  auto o = torch::zeros({4, 4});
  o[2][0] = 1;
  a.layers[3]->set_weight_mask(o);
  StructuredMaskResolver resolver({a.group});
  resolver.apply();
  const auto head0_rows = t2({{1, 1, 1, 1}, {1, 1, 1, 1}, {0, 0, 0, 0}, {0, 0, 0, 0}});
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(torch::equal(a.layers[i]->weight_mask(), head0_rows)) << i;
    EXPECT_TRUE(torch::equal(a.layers[i]->bias_mask(), torch::tensor({1.f, 1.f, 0.f, 0.f}))) << i;
  }
  EXPECT_TRUE(torch::equal(a.layers[3]->weight_mask(), head0_rows.t()));
  EXPECT_TRUE(torch::equal(a.layers[3]->bias_mask(), torch::ones({4})));

  const auto st = structured_member_stats(a.group.members[0]);
  EXPECT_EQ(st.pruned_weight_shape, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(st.pruned_bias_shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(st.kept_ids, (std::vector<int64_t>{0}));
  const auto so = structured_member_stats(a.group.members[3]);
  EXPECT_EQ(so.pruned_weight_shape, (std::vector<int64_t>{4, 2}));
  EXPECT_EQ(so.pruned_bias_shape, (std::vector<int64_t>{4}));
}

TEST(MovementStructured, CsvHasNncfColumns) {
  AttentionGroup a;
  auto v = torch::ones({4, 4});
  a.layers[2]->set_weight_mask(v);  // everything alive: both heads kept
  StructuredMaskResolver resolver({a.group});
  resolver.apply();
  const std::string expected =
      ",group_id,type,torch_module,weight_shape,pruned_weight_shape,bias_shape,pruned_bias_shape,"
      "head_or_channel_id_to_keep,module_node_name\n"
      "0,0,MHSA,q,\"(4, 4)\",\"(4, 4)\",\"(4,)\",\"(4,)\",\"[0, 1]\",scope/q\n"
      "1,0,MHSA,k,\"(4, 4)\",\"(4, 4)\",\"(4,)\",\"(4,)\",\"[0, 1]\",scope/k\n"
      "2,0,MHSA,v,\"(4, 4)\",\"(4, 4)\",\"(4,)\",\"(4,)\",\"[0, 1]\",scope/v\n"
      "3,0,MHSA,o,\"(4, 4)\",\"(4, 4)\",\"(4,)\",\"(4,)\",\"[0, 1]\",scope/o\n";
  EXPECT_EQ(structured_sparsity_csv(resolver.groups()), expected);
}

TEST(MovementStructured, SummaryCountsHeadsNeuronsAndParameters) {
  AttentionGroup a;
  auto q = torch::zeros({4, 4});
  q[3][0] = 1;  // head 1 only
  for (int i = 0; i < 4; ++i) {
    a.layers[i]->set_weight_mask(i == 0 ? q : torch::zeros({4, 4}));
    a.layers[i]->set_bias_mask(torch::zeros({4}));
  }
  // An FF group: intermediate [6, 4] by row (grid 1x4), output [4, 6] by column (grid 4x1).
  auto inter = std::make_shared<MovementSparsifier>(6, 4, true, SparseStructureMode::kFine, SparseFactors{});
  auto out = std::make_shared<MovementSparsifier>(4, 6, true, SparseStructureMode::kFine, SparseFactors{});
  auto im = torch::zeros({6, 4});
  im[0][0] = 1;
  inter->set_weight_mask(im);
  inter->set_bias_mask(torch::tensor({0.f, 0.f, 1.f, 0.f, 0.f, 0.f}));
  auto om = torch::zeros({4, 6});
  om[1][5] = 1;
  out->set_weight_mask(om);
  StructuredGroup ff;
  ff.id = 1;
  ff.type = "FF";
  ff.layer_index = 0;
  ff.members = {{"i", "s/i", inter.get(), true, 1, 4}, {"o2", "s/o2", out.get(), false, 4, 1}};
  StructuredMaskResolver resolver({a.group, ff});
  resolver.apply();
  // Neurons 0 (intermediate weight), 2 (intermediate bias) and 5 (output column) survive.
  EXPECT_TRUE(torch::equal(inter->bias_mask(), torch::tensor({1.f, 0.f, 1.f, 0.f, 0.f, 1.f})));
  const Json s = structured_sparsity_summary(resolver.groups());
  ASSERT_EQ(s["layers"].size(), 1u);
  const Json& l = s["layers"][0];
  EXPECT_EQ(l["attention"]["heads_kept"], Json::array({1}));
  EXPECT_EQ(l["attention"]["num_heads"], 2);
  EXPECT_EQ(l["ffn"]["neurons_kept"], 3);
  EXPECT_EQ(l["ffn"]["intermediate_size"], 6);
  // Before: 4 * (16 + 4) + (24 + 6) + (24 + 4) = 138. After: Q/K/V 3 * (8 + 2), O 8 + 4, I 12 + 3, O2 12 + 4.
  EXPECT_EQ(l["parameters_before"], 138);
  EXPECT_EQ(l["parameters_after"], 30 + 12 + 15 + 16);
  EXPECT_EQ(s["total"]["heads_kept"], 1);
  EXPECT_EQ(s["total"]["ffn_neurons"], 6);
}

}  // namespace
}  // namespace jpqd::compression
