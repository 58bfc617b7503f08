// Replays the run of tests/fixtures/movement/make_reference.py (an independent PyTorch implementation of
// docs/algorithms.md 1.2-1.5) and compares thresholds, losses, masks and trained values step by step.
#include <gtest/gtest.h>

#include <cmath>

#include "common/json_util.h"
#include "compression/sparsity/movement/build_movement_sparsity.h"

namespace jpqd::compression {
namespace {

// Same float32 operations on both sides, but matmul/reduction order may differ between the Python and
// C++ call paths: allow a few float32 ulps of the values involved.
constexpr double kLossTolerance = 1e-5;
constexpr double kValueTolerance = 1e-5;
// Thresholds and factors are double arithmetic on the same inputs on both sides.
constexpr double kScheduleTolerance = 1e-12;

torch::Tensor from_json(const Json& j) {
  std::vector<float> flat;
  std::vector<int64_t> shape;
  if (j[0].is_array()) {
    shape = {static_cast<int64_t>(j.size()), static_cast<int64_t>(j[0].size())};
    for (const auto& row : j)
      for (const auto& v : row) flat.push_back(v.get<float>());
  } else {
    shape = {static_cast<int64_t>(j.size())};
    for (const auto& v : j) flat.push_back(v.get<float>());
  }
  return torch::tensor(flat).reshape(shape);
}

TEST(MovementParity, MatchesTheIndependentPythonReference) {
  const Json ref = read_json_file(std::string(JPQD_SOURCE_DIR) + "/tests/fixtures/movement/reference.json");
  const Json& p = ref["params"];

  std::vector<model::CompressibleLinear> linears;
  model::ModelGraph graph;
  MovementSparsityConfig config;
  for (const auto& l : ref["layers"]) {
    linears.emplace_back(l["in"].get<int64_t>(), l["out"].get<int64_t>(), l["bias"].get<bool>());
    model::ModelNode node;
    node.name = l["name"].get<std::string>();
    node.scope = "Net/NNCFLinear[" + node.name + "]/linear_0";
    node.kind = model::NodeKind::kLinear;
    node.linear = linears.back().get();
    graph.push_back(node);
  }
  SparseStructureEntry block;  // layer a: block [2, 3]
  block.mode = SparseStructureMode::kBlock;
  block.block_rows = 2;
  block.block_cols = 3;
  block.target_scopes = {"Net/NNCFLinear[a]/linear_0"};
  SparseStructureEntry cols;  // layer b: per_dim axis 1
  cols.mode = SparseStructureMode::kPerDim;
  cols.axis = 1;
  cols.target_scopes = {"{re}NNCFLinear\\[b\\]"};
  config.sparse_structure_by_scopes = {block, cols};  // layer c: fine (unmatched)
  config.warmup_start_epoch = p["warmup_start_epoch"].get<int64_t>();
  config.warmup_end_epoch = p["warmup_end_epoch"].get<int64_t>();
  config.power = p["power"].get<double>();
  config.importance_regularization_factor = p["importance_regularization_factor"].get<double>();
  config.final_importance_threshold = p["final_importance_threshold"].get<double>();
  config.enable_structured_masking = false;
  auto c = build_movement_sparsity(config, graph, MovementBuildOptions{});

  std::vector<torch::Tensor> params;
  {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < linears.size(); ++i) {
      const Json& init = ref["init"][i];
      const auto& s = *c->layers()[i].sparsifier;
      linears[i]->weight.copy_(from_json(init["weight"]));
      s.weight_importance.copy_(from_json(init["weight_importance"]));
      params.push_back(linears[i]->weight);
      if (!init["bias"].is_null()) {
        linears[i]->bias.copy_(from_json(init["bias"]));
        s.bias_importance.copy_(from_json(init["bias_importance"]));
        params.push_back(linears[i]->bias);
      }
      for (const auto& t : c->layers()[i].sparsifier->parameters()) params.push_back(t);
    }
  }
  torch::optim::SGD opt(params, p["lr"].get<double>());

  const int64_t spe = p["steps_per_epoch_measured"].get<int64_t>();
  const auto& trace = ref["trace"];
  for (size_t step = 0; step < trace.size(); ++step) {
    const Json& t = trace[step];
    if (step % spe == 0) c->epoch_step();
    c->step();
    const auto x = from_json(ref["inputs"][step]);
    const auto y = linears[2]->forward(torch::relu(linears[1]->forward(torch::relu(linears[0]->forward(x)))));
    const auto task = y.pow(2).mean();
    const auto reg = c->loss();
    opt.zero_grad();
    (task + reg).backward();
    opt.step();

    if (t["tau"].is_null()) {
      EXPECT_TRUE(std::isinf(c->scheduler().importance_threshold())) << "step " << step;
    } else {
      EXPECT_NEAR(c->scheduler().importance_threshold(), t["tau"].get<double>(), kScheduleTolerance) << "step " << step;
    }
    EXPECT_NEAR(c->scheduler().importance_regularization_factor(), t["lambda"].get<double>(), kScheduleTolerance) << "step " << step;
    EXPECT_NEAR(task.item<double>(), t["task_loss"].get<double>(), kLossTolerance) << "step " << step;
    EXPECT_NEAR(reg.item<double>(), t["reg_loss"].get<double>(), kLossTolerance) << "step " << step;
    for (size_t i = 0; i < linears.size(); ++i) {
      const auto& s = *c->layers()[i].sparsifier;
      EXPECT_TRUE(torch::equal(s.weight_mask().flatten(), from_json(t["masks"][i]))) << "step " << step << " layer " << i;
      if (!t["bias_masks"][i].is_null()) {
        EXPECT_TRUE(torch::equal(s.bias_mask(), from_json(t["bias_masks"][i]))) << "step " << step << " layer " << i;
      }
    }
  }
  EXPECT_NEAR(*c->scheduler().init_importance_threshold(), ref["init_importance_threshold"].get<double>(), kScheduleTolerance);
  for (size_t i = 0; i < linears.size(); ++i) {
    EXPECT_TRUE(torch::allclose(linears[i]->weight, from_json(ref["final"][i]["weight"]), 0, kValueTolerance)) << i;
    EXPECT_TRUE(torch::allclose(c->layers()[i].sparsifier->weight_importance,
                                from_json(ref["final"][i]["weight_importance"]), 0, kValueTolerance))
        << i;
  }
  EXPECT_TRUE(c->frozen());
}

}  // namespace
}  // namespace jpqd::compression
