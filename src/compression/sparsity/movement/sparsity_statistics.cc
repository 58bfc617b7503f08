#include "compression/sparsity/movement/sparsity_statistics.h"

#include <map>

namespace jpqd::compression {

namespace {

int64_t zeros_of(const torch::Tensor& t) { return t.numel() - t.count_nonzero().item<int64_t>(); }

}  // namespace

SparsityStatistics collect_sparsity_statistics(const std::vector<SparsifiedParams>& layers,
                                               const std::vector<torch::Tensor>& model_parameters) {
  torch::NoGradGuard no_grad;
  SparsityStatistics stats;
  std::map<const void*, int64_t> masked_zeros;  // TensorImpl of a sparsified weight or bias -> its zeros
  int64_t linear_total = 0, linear_zeros = 0;
  struct Row {
    const SparsifiedParams* layer;
    int64_t weight_zeros, bias_zeros, params;
  };
  std::vector<Row> rows;
  for (const auto& l : layers) {
    const int64_t wz = zeros_of(l.weight * l.sparsifier->weight_mask());
    int64_t bz = 0, params = l.weight.numel();
    masked_zeros[l.weight.unsafeGetTensorImpl()] = wz;
    if (l.bias.defined()) {
      bz = zeros_of(l.sparsifier->has_bias() ? l.bias * l.sparsifier->bias_mask() : l.bias);
      params += l.bias.numel();
      masked_zeros[l.bias.unsafeGetTensorImpl()] = bz;
    }
    linear_total += params;
    linear_zeros += wz + bz;
    rows.push_back({&l, wz, bz, params});
  }
  int64_t model_total = 0, model_zeros = 0;
  if (model_parameters.empty()) {
    model_total = linear_total;
    model_zeros = linear_zeros;
  } else {
    for (const auto& p : model_parameters) {
      model_total += p.numel();
      auto it = masked_zeros.find(p.unsafeGetTensorImpl());
      model_zeros += it != masked_zeros.end() ? it->second : zeros_of(p);
    }
  }
  stats.model_sparsity = model_total ? static_cast<double>(model_zeros) / static_cast<double>(model_total) : 0.0;
  stats.linear_layer_sparsity =
      linear_total ? static_cast<double>(linear_zeros) / static_cast<double>(linear_total) : 0.0;
  for (const auto& r : rows) {
    const auto& l = *r.layer;
    Json row = {{"name", l.name},
                {"weight_shape", l.weight.sizes().vec()},
                {"sparsity_level", static_cast<double>(r.weight_zeros + r.bias_zeros) / static_cast<double>(r.params)},
                {"weight_sparsity", static_cast<double>(r.weight_zeros) / static_cast<double>(l.weight.numel())},
                {"percentage", 100.0 * static_cast<double>(r.params) / static_cast<double>(linear_total)}};
    if (l.bias.defined()) {
      row["bias_shape"] = l.bias.sizes().vec();
      row["bias_sparsity"] = static_cast<double>(r.bias_zeros) / static_cast<double>(l.bias.numel());
    }
    stats.layers.push_back(row);
  }
  return stats;
}

}  // namespace jpqd::compression
