#include "training/dataset.h"

#include <algorithm>
#include <numeric>

#include "common/checksum.h"
#include "common/error.h"

namespace jpqd::training {

TokenizedDataset::TokenizedDataset(std::vector<Row> rows, TargetKind target, int64_t pad_to_length, int64_t pad_id)
    : rows_(std::move(rows)), target_(target), pad_to_length_(pad_to_length), pad_id_(pad_id) {}

int64_t TokenizedDataset::total_tokens(const std::vector<int64_t>& indices) const {
  int64_t n = 0;
  for (int64_t i : indices) n += static_cast<int64_t>(row(i).input_ids.size());
  return n;
}

Batch to_device(Batch batch, const torch::Device& device) {
  for (torch::Tensor* t : {&batch.inputs.input_ids, &batch.inputs.attention_mask, &batch.inputs.token_type_ids,
                           &batch.inputs.lm_positions, &batch.labels.labels, &batch.labels.start_positions,
                           &batch.labels.end_positions})
    if (t->defined()) *t = t->to(device);
  return batch;
}

uint64_t TokenizedDataset::fingerprint() const {
  uint64_t h = kFnv1a64Offset;
  auto add = [&h](const auto& values) {
    const int64_t n = static_cast<int64_t>(values.size());
    h = fnv1a64(&n, sizeof(n), h);
    if (!values.empty()) h = fnv1a64(values.data(), values.size() * sizeof(values[0]), h);
  };
  const int64_t header[3] = {size(), static_cast<int64_t>(target_), pad_to_length_};
  h = fnv1a64(header, sizeof(header), h);
  for (const Row& r : rows_) {
    add(r.input_ids);
    add(r.token_type_ids);
    add(r.attention_mask);
    add(r.targets);
    const int64_t scalars[3] = {r.label, r.start_position, r.end_position};
    h = fnv1a64(scalars, sizeof(scalars), h);
  }
  return h;
}

Batch TokenizedDataset::batch(const std::vector<int64_t>& indices, uint64_t seed) const {
  const auto b = static_cast<int64_t>(indices.size());
  int64_t length = pad_to_length_;
  if (length == 0)
    for (int64_t i : indices) length = std::max<int64_t>(length, static_cast<int64_t>(row(i).input_ids.size()));

  auto ids = torch::full({b, length}, pad_id_, torch::kInt64);
  auto types = torch::zeros({b, length}, torch::kInt64);
  auto mask = torch::zeros({b, length}, torch::kInt64);
  auto ids_a = ids.accessor<int64_t, 2>();
  auto types_a = types.accessor<int64_t, 2>();
  auto mask_a = mask.accessor<int64_t, 2>();
  for (int64_t r = 0; r < b; ++r) {
    const Row& row_ = row(indices[static_cast<size_t>(r)]);
    const auto n = std::min<int64_t>(length, static_cast<int64_t>(row_.input_ids.size()));
    for (int64_t t = 0; t < n; ++t) {
      ids_a[r][t] = row_.input_ids[static_cast<size_t>(t)];
      types_a[r][t] = t < static_cast<int64_t>(row_.token_type_ids.size()) ? row_.token_type_ids[static_cast<size_t>(t)] : 0;
      mask_a[r][t] = 1;
    }
  }

  Batch out;
  out.size = b;
  out.inputs = {ids, mask, types};
  switch (target_) {
    case TargetKind::kNone:
    case TargetKind::kMaskedLm: break;
    case TargetKind::kClassLabel: {
      auto labels = torch::empty({b}, torch::kInt64);
      for (int64_t r = 0; r < b; ++r) labels[r] = row(indices[static_cast<size_t>(r)]).label;
      out.labels.labels = labels;
      break;
    }
    case TargetKind::kRegression:
    case TargetKind::kMultiLabel: {
      const auto width = static_cast<int64_t>(row(indices.front()).targets.size());
      auto labels = torch::empty({b, width}, torch::kFloat32);
      for (int64_t r = 0; r < b; ++r) {
        const auto& t = row(indices[static_cast<size_t>(r)]).targets;
        TORCH_CHECK(static_cast<int64_t>(t.size()) == width, "rows of one dataset have different target widths");
        for (int64_t c = 0; c < width; ++c) labels[r][c] = t[static_cast<size_t>(c)];
      }
      out.labels.labels = target_ == TargetKind::kRegression ? labels.squeeze(1) : labels;
      break;
    }
    case TargetKind::kSpan: {
      auto start = torch::empty({b}, torch::kInt64);
      auto end = torch::empty({b}, torch::kInt64);
      for (int64_t r = 0; r < b; ++r) {
        start[r] = row(indices[static_cast<size_t>(r)]).start_position;
        end[r] = row(indices[static_cast<size_t>(r)]).end_position;
      }
      out.labels.start_positions = start;
      out.labels.end_positions = end;
      break;
    }
  }
  if (transform_) transform_(out, seed);
  return out;
}

std::vector<int64_t> epoch_permutation(int64_t size, int64_t seed, int64_t epoch) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(seed) * 1000003ULL +
                                                            static_cast<uint64_t>(epoch));
  auto perm = torch::randperm(size, generator, torch::TensorOptions().dtype(torch::kInt64));
  return std::vector<int64_t>(perm.data_ptr<int64_t>(), perm.data_ptr<int64_t>() + size);
}

std::vector<int64_t> sequential_indices(int64_t begin, int64_t end) {
  std::vector<int64_t> v(static_cast<size_t>(std::max<int64_t>(0, end - begin)));
  std::iota(v.begin(), v.end(), begin);
  return v;
}

}  // namespace jpqd::training
