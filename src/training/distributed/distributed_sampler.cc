#include "training/distributed/distributed_sampler.h"

#include <algorithm>

#include "common/error.h"
#include "training/dataset.h"

namespace jpqd::training {

namespace {

void check_rank(int64_t rank, int64_t world_size) {
  JPQD_CHECK(world_size >= 1, InvalidArgument, "world size must be at least 1, got ", world_size);
  JPQD_CHECK(rank >= 0 && rank < world_size, InvalidArgument, "rank ", rank, " is outside [0, ", world_size, ")");
}

}  // namespace

DistributedSampler::DistributedSampler(int64_t dataset_size, int64_t rank, int64_t world_size)
    : dataset_size_(dataset_size), rank_(rank), world_size_(world_size) {
  check_rank(rank, world_size);
  JPQD_CHECK(dataset_size > 0, InvalidArgument, "cannot shard an empty dataset across ", world_size, " ranks");
  num_samples_ = (dataset_size + world_size - 1) / world_size;
}

std::vector<int64_t> DistributedSampler::indices(const std::vector<int64_t>& global_order) const {
  JPQD_CHECK(static_cast<int64_t>(global_order.size()) == dataset_size_, InvalidArgument, "the epoch order has ",
             global_order.size(), " entries, the sampler expects ", dataset_size_);
  std::vector<int64_t> mine;
  mine.reserve(static_cast<size_t>(num_samples_));
  // Position p of the padded order is global_order[p mod n]: padding wraps around to the beginning, and
  // wraps more than once when the dataset is smaller than the world (torch does the same).
  for (int64_t p = rank_; p < total_size(); p += world_size_) mine.push_back(global_order[p % dataset_size_]);
  return mine;
}

std::vector<int64_t> DistributedSampler::epoch_indices(int64_t seed, int64_t epoch) const {
  return indices(epoch_permutation(dataset_size_, seed, epoch));
}

EvalShard eval_shard(int64_t dataset_size, int64_t rank, int64_t world_size) {
  check_rank(rank, world_size);
  JPQD_CHECK(dataset_size >= 0, InvalidArgument, "dataset size must not be negative, got ", dataset_size);
  const int64_t base = dataset_size / world_size;
  const int64_t extra = dataset_size % world_size;  // the first `extra` ranks take one more example
  EvalShard shard;
  shard.begin = rank * base + std::min(rank, extra);
  shard.end = shard.begin + base + (rank < extra ? 1 : 0);
  return shard;
}

}  // namespace jpqd::training
