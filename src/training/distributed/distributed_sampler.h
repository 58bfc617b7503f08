// Which examples each rank trains on, as torch.utils.data.DistributedSampler(drop_last=False).
//
// The epoch's global order (the one a single process would use: epoch_permutation(n, seed, epoch)) is
// padded by wrapping around to total_size() = W·ceil(n/W) positions; rank r takes positions
// r, r+W, r+2W, ... so every rank holds num_samples() = ceil(n/W) examples and every rank runs the same
// number of steps (collectives stay matched even when W does not divide n).
//
// Equivalence with one process: with per-process batch b, step k of rank r holds positions
// (k·b + j)·W + r for j < b. Over all ranks that is every position in [k·W·b, (k+1)·W·b): exactly batch
// k of a single process with batch W·b over the same padded order. Averaging each rank's mean loss
// gradient over the W ranks (the batches are the same size on every rank, the last one included) gives
// that process's mean gradient. When W does not divide n, the padded order repeats the first
// total_size() - n examples of the epoch at its end, so the equivalent single-process run is over the
// padded order, not the unpadded one.
#pragma once

#include <cstdint>
#include <vector>

namespace jpqd::training {

class DistributedSampler {
 public:
  DistributedSampler(int64_t dataset_size, int64_t rank, int64_t world_size);

  int64_t num_samples() const { return num_samples_; }
  int64_t total_size() const { return num_samples_ * world_size_; }

  // This rank's share of `global_order` (a permutation of [0, dataset_size)), in training order.
  std::vector<int64_t> indices(const std::vector<int64_t>& global_order) const;
  // indices(epoch_permutation(dataset_size, seed, epoch)): the same shuffle as a single-process run.
  std::vector<int64_t> epoch_indices(int64_t seed, int64_t epoch) const;

 private:
  int64_t dataset_size_;
  int64_t rank_;
  int64_t world_size_;
  int64_t num_samples_;
};

// Sharded evaluation: rank r evaluates the contiguous range [begin, end) of the dataset, shard sizes
// differ by at most one and nothing is padded, so concatenating the gathered shards in rank order
// (Communicator::all_gather_rows) restores the dataset's order with every example exactly once.
struct EvalShard {
  int64_t begin = 0;
  int64_t end = 0;
};
EvalShard eval_shard(int64_t dataset_size, int64_t rank, int64_t world_size);

}  // namespace jpqd::training
