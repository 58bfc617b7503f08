// The trainer's view of data parallelism (DDP's role): which examples this rank trains and evaluates,
// gradient averaging, and the decisions every rank must take together. In a single process every call
// is the identity or does nothing, so the training loop reads the same with one rank or many.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "compression/api/collectives.h"
#include "training/distributed/distributed_env.h"
#include "training/distributed/distributed_sampler.h"

namespace jpqd::training {

class Communicator;

class DataParallel {
 public:
  // Joins the process group when `env` has more than one rank (waits up to `timeout` for all of them,
  // and bounds every later collective by it).
  DataParallel(const DistributedEnv& env, std::chrono::milliseconds timeout);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  const DistributedEnv& env() const { return env_; }
  bool enabled() const { return communicator_ != nullptr; }
  int64_t rank() const { return env_.rank; }
  int64_t world_size() const { return env_.world_size; }
  bool is_main_process() const { return env_.is_main_process(); }

  // Stops every rank with "ranks disagree on <what>" unless all passed the same fingerprint.
  void check_agreement(const std::string& what, uint64_t fingerprint);
  // Every rank continues from rank 0's parameters and buffers, as DDP's constructor does.
  void broadcast_module(torch::nn::Module& module);
  // Sums the gradients of `params` over ranks and divides by the world size.
  void average_gradients(const std::vector<torch::Tensor>& params);
  // Whether `flag` is set on any rank: skipping a step or stopping is decided together.
  bool any(bool flag);
  // Element-wise mean / sum over ranks.
  std::vector<double> mean(std::vector<double> values);
  double sum(double value);
  int64_t max(int64_t value);
  // Every rank's rows concatenated in rank order.
  torch::Tensor gather_rows(const torch::Tensor& rows);
  void barrier();
  // What compression's range initialisation combines its statistics with; null in one process.
  compression::Collectives* collectives() { return collectives_.get(); }

  // This rank's training examples of `epoch`, in order (DistributedSampler over the single-process
  // shuffle, so rank r's batch k holds a share of the single-process batch k of W times the size).
  std::vector<int64_t> epoch_indices(int64_t dataset_size, int64_t seed, int64_t epoch) const;
  // The contiguous part of an evaluation set this rank evaluates. Sets smaller than the world size are
  // evaluated whole on every rank (a rank with no rows would have nothing to gather).
  EvalShard eval_shard(int64_t dataset_size) const;

 private:
  DistributedEnv env_;
  std::unique_ptr<Communicator> communicator_;
  std::unique_ptr<compression::Collectives> collectives_;
};

}  // namespace jpqd::training
