#include "training/calibration.h"

#include <algorithm>

#include "common/error.h"

namespace jpqd::training {

std::vector<int64_t> calibration_indices(int64_t dataset_size, int64_t samples, int64_t seed) {
  TORCH_CHECK(samples >= 0 && dataset_size >= 0, "calibration: ", samples, " samples of ", dataset_size);
  std::vector<int64_t> order = epoch_permutation(dataset_size, seed, 0);
  order.resize(static_cast<size_t>(std::min(samples, dataset_size)));
  return order;
}

int64_t calibration_batch_count(int64_t samples, int64_t batch_size) {
  JPQD_CHECK(batch_size > 0, InvalidArgument, "calibration: batch size must be positive, got ", batch_size);
  return (samples + batch_size - 1) / batch_size;
}

CalibrationBatch calibration_batches(const TokenizedDataset& data, std::vector<int64_t> indices, int64_t batch_size) {
  JPQD_CHECK(batch_size > 0, InvalidArgument, "calibration: batch size must be positive, got ", batch_size);
  return [&data, indices = std::move(indices), batch_size](int64_t b) {
    const auto n = static_cast<int64_t>(indices.size());
    const int64_t begin = std::min(b * batch_size, n), end = std::min(begin + batch_size, n);
    TORCH_CHECK(begin < end, "calibration: batch ", b, " is past the ", n, " samples");
    return data.batch(std::vector<int64_t>(indices.begin() + begin, indices.begin() + end));
  };
}

int64_t forward_for_statistics(model::BertImpl& model, int64_t batches, const CalibrationBatch& batch_at,
                               const torch::Device& device) {
  const bool was_training = model.is_training();
  torch::NoGradGuard no_grad;
  model.eval();
  int64_t samples = 0;
  for (int64_t b = 0; b < batches; ++b) {
    const Batch batch = to_device(batch_at(b), device);
    model.forward(batch.inputs);
    samples += batch.inputs.input_ids.size(0);
  }
  model.train(was_training);
  return samples;
}

int64_t initialize_ranges(compression::Controller& controller, model::BertImpl& model, int64_t batches,
                          const CalibrationBatch& batch_at, const torch::Device& device,
                          compression::Collectives* ranks) {
  controller.begin_initialization();
  const int64_t samples = forward_for_statistics(model, batches, batch_at, device);
  controller.end_initialization(ranks);
  return samples;
}

}  // namespace jpqd::training
