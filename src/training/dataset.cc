#include "training/dataset.h"

#include <algorithm>
#include <numeric>

#include "common/checksum.h"
#include "common/error.h"

namespace jpqd::training {

TokenizedDataset::TokenizedDataset(std::vector<Row> rows, TargetKind target, int64_t pad_to_length, int64_t pad_id,
                                   std::optional<int64_t> teacher_pad_id)
    : rows_(std::move(rows)),
      target_(target),
      pad_to_length_(pad_to_length),
      pad_id_(pad_id),
      teacher_pad_id_(teacher_pad_id) {
  // A row without the teacher's ids would feed the teacher an empty (or another tokenizer's) sequence.
  for (size_t i = 0; i < rows_.size(); ++i)
    JPQD_CHECK(rows_[i].teacher_input_ids.empty() != teacher_pad_id_.has_value(), InvalidArgument, "row ", i,
               teacher_pad_id_ ? " lacks" : " has", " the teacher's token ids");
}

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
  if (batch.teacher_inputs)
    for (torch::Tensor* t : {&batch.teacher_inputs->input_ids, &batch.teacher_inputs->attention_mask,
                             &batch.teacher_inputs->token_type_ids})
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
    if (teacher_pad_id_) {
      add(r.teacher_input_ids);
      add(r.teacher_token_type_ids);
    }
    const int64_t scalars[3] = {r.label, r.start_position, r.end_position};
    h = fnv1a64(scalars, sizeof(scalars), h);
  }
  return h;
}

namespace {

// Token ids and types of `b` rows padded with pad_id to `length` (0: the longest row), with the mask.
template <class Ids, class Types>
model::BertInputs collate(int64_t b, int64_t length, int64_t pad_id, const Ids& ids_of, const Types& types_of) {
  if (length == 0)
    for (int64_t r = 0; r < b; ++r) length = std::max<int64_t>(length, static_cast<int64_t>(ids_of(r).size()));
  auto ids = torch::full({b, length}, pad_id, torch::kInt64);
  auto types = torch::zeros({b, length}, torch::kInt64);
  auto mask = torch::zeros({b, length}, torch::kInt64);
  auto ids_a = ids.template accessor<int64_t, 2>();
  auto types_a = types.template accessor<int64_t, 2>();
  auto mask_a = mask.template accessor<int64_t, 2>();
  for (int64_t r = 0; r < b; ++r) {
    const std::vector<int64_t>& row_ids = ids_of(r);
    const std::vector<int64_t>& row_types = types_of(r);
    const auto n = std::min<int64_t>(length, static_cast<int64_t>(row_ids.size()));
    for (int64_t t = 0; t < n; ++t) {
      ids_a[r][t] = row_ids[static_cast<size_t>(t)];
      types_a[r][t] = t < static_cast<int64_t>(row_types.size()) ? row_types[static_cast<size_t>(t)] : 0;
      mask_a[r][t] = 1;
    }
  }
  return {ids, mask, types};
}

}  // namespace

Batch TokenizedDataset::batch(const std::vector<int64_t>& indices, uint64_t seed) const {
  const auto b = static_cast<int64_t>(indices.size());
  auto at = [&](int64_t r) -> const Row& { return row(indices[static_cast<size_t>(r)]); };
  Batch out;
  out.size = b;
  out.inputs = collate(
      b, pad_to_length_, pad_id_, [&](int64_t r) -> const auto& { return at(r).input_ids; },
      [&](int64_t r) -> const auto& { return at(r).token_type_ids; });
  // The teacher's rows are padded on their own: the two tokenizations of a text differ in length.
  if (teacher_pad_id_)
    out.teacher_inputs = collate(
        b, pad_to_length_, *teacher_pad_id_, [&](int64_t r) -> const auto& { return at(r).teacher_input_ids; },
        [&](int64_t r) -> const auto& { return at(r).teacher_token_type_ids; });
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
