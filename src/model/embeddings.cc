#include "model/embeddings.h"

#include <cmath>

#include "common/error.h"

namespace jpqd::model {

HookedEmbeddingImpl::HookedEmbeddingImpl(int64_t num_embeddings, int64_t dim, int64_t padding)
    : padding_idx(padding) {
  weight = register_parameter("weight", torch::randn({num_embeddings, dim}));
  weight_hooks = register_module("weight_hooks", TensorHookPoint());
}

torch::Tensor HookedEmbeddingImpl::forward(const torch::Tensor& ids) {
  torch::Tensor table = weight_hooks->forward(weight);
  return torch::embedding(table, ids, padding_idx);
}

torch::Tensor family_position_ids(const architecture::Architecture& arch, const torch::Tensor& input_ids,
                                  int64_t pad_token_id) {
  if (arch.position_ids == architecture::PositionIds::kArange)
    return torch::arange(input_ids.size(1), input_ids.options().dtype(torch::kLong)).unsqueeze(0);
  const torch::Tensor real = input_ids.ne(pad_token_id).to(torch::kLong);
  return torch::cumsum(real, 1) * real + pad_token_id;
}

torch::Tensor sinusoidal_position_table(int64_t positions, int64_t dim) {
  torch::Tensor table = torch::empty({positions, dim}, torch::kFloat64);
  auto t = table.accessor<double, 2>();
  for (int64_t p = 0; p < positions; ++p)
    for (int64_t j = 0; j < dim; ++j) {
      const double angle = static_cast<double>(p) / std::pow(10000.0, 2.0 * static_cast<double>(j / 2) / dim);
      t[p][j] = j % 2 == 0 ? std::sin(angle) : std::cos(angle);
    }
  return table.to(torch::kFloat32);
}

torch::Tensor EmbeddingParts::forward(const BertConfig& c, const torch::Tensor& input_ids,
                                      const torch::Tensor& token_type_ids, bool training) {
  const architecture::Architecture& arch = c.architecture();
  const int64_t max_pos = position->weight.size(0);
  torch::Tensor positions = family_position_ids(arch, input_ids, c.pad_token_id);
  if (arch.position_ids == architecture::PositionIds::kArange) {
    JPQD_CHECK(input_ids.size(1) <= max_pos, InvalidArgument, "sequence length ", input_ids.size(1),
               " exceeds max_position_embeddings ", max_pos);
  } else if (positions.numel() > 0) {
    JPQD_CHECK(positions.max().item<int64_t>() < max_pos, InvalidArgument, "sequence length ", input_ids.size(1),
               " exceeds the ", max_pos - c.pad_token_id - 1, " positions after padding_idx ", c.pad_token_id,
               " of max_position_embeddings ", max_pos);
  }
  // HF order: word (+ token type), then += position.
  torch::Tensor x = word->forward(input_ids);
  if (token_type) x = x + token_type->forward(token_type_ids);
  x = x + position->forward(positions);
  x = layer_norm->forward(x);
  return torch::dropout(x, c.hidden_dropout_prob, training);
}

}  // namespace jpqd::model
