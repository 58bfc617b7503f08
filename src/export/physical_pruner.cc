#include "export/physical_pruner.h"

#include <regex>

#include "common/error.h"

namespace jpqd::exporter {

namespace {

std::vector<int64_t> head_rows(const std::vector<int64_t>& heads, int64_t head_dim) {
  std::vector<int64_t> rows;
  for (int64_t h : heads)
    for (int64_t i = 0; i < head_dim; ++i) rows.push_back(h * head_dim + i);
  return rows;
}

}  // namespace

TensorSlice slice_for(const std::string& name, const PruningPlan& plan) {
  static const std::regex kLayerTensor(R"(^bert\.encoder\.layer\.(\d+)\.(.+)$)");
  std::smatch m;
  if (!plan.structured || !std::regex_match(name, m, kLayerTensor)) return {};
  const auto layer = static_cast<size_t>(std::stoll(m[1].str()));
  JPQD_CHECK(layer < plan.layers.size(), FormatError, "pruning plan: tensor ", name, " belongs to layer ", layer,
             " but the plan has ", plan.layers.size(), " layers");
  const std::string rest = m[2].str();
  const auto& lp = plan.layers[layer];
  const auto heads = head_rows(lp.kept_heads, plan.head_dim);
  static const std::regex kQkv(R"(^attention\.self\.(query|key|value)\.(weight|bias)$)");
  if (std::regex_match(rest, kQkv)) return {0, heads};
  if (rest == "attention.output.dense.weight") return {1, heads};
  if (rest == "intermediate.dense.weight" || rest == "intermediate.dense.bias") return {0, lp.kept_neurons};
  if (rest == "output.dense.weight") return {1, lp.kept_neurons};
  return {};
}

torch::Tensor apply_slice(const torch::Tensor& tensor, const TensorSlice& slice) {
  if (slice.dim < 0) return tensor;
  auto index = torch::tensor(slice.rows_or_columns, torch::kInt64);
  return tensor.index_select(slice.dim, index).contiguous();
}

PrunedState prune_physically(const model::BertConfig& config, const std::map<std::string, torch::Tensor>& tensors,
                             const PruningPlan& plan) {
  PrunedState out;
  out.config = config;
  if (plan.structured) {
    out.config.heads_per_layer = plan.heads_per_layer();
    out.config.intermediate_per_layer = plan.intermediate_per_layer();
  }
  for (const auto& [name, tensor] : tensors) out.tensors[name] = apply_slice(tensor, slice_for(name, plan));
  return out;
}

}  // namespace jpqd::exporter
