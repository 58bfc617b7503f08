// The collectives a data-parallel trainer needs, over LibTorch's c10d: a TCPStore rendezvous at
// MASTER_ADDR:MASTER_PORT (rank 0 serves it, or torchrun's agent does) and a Gloo process group (TCP;
// loopback on one machine). Gloo is the only backend: NCCL is not implemented.
//
// Tensors may live on the CPU or, with a CUDA build of LibTorch, on a GPU: Gloo stages GPU tensors through
// host memory, so GPU ranks work but pay a copy each way. The GPU path is untested (no GPU here).
//
// Every call is a collective: all ranks must make the same calls in the same order with tensors of the
// same shapes. A failed or timed-out collective (a rank died, hung, or called something else) throws
// IoError naming the operation, this rank and the timeout, and leaves the communicator broken: the
// process is expected to stop, as torch.distributed's are.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "training/distributed/distributed_env.h"

namespace jpqd::training {

enum class ReduceOp { kSum, kMin, kMax };

class Communicator {
 public:
  // PyTorch DDP's default bucket_cap_mb.
  static constexpr int64_t kDefaultBucketBytes = 25 * 1024 * 1024;
  // HF's --ddp_timeout default (1800 s).
  static constexpr std::chrono::seconds kDefaultTimeout{1800};

  // Joins the group described by `env`; waits up to `timeout` for every rank to arrive, and bounds every
  // later collective by the same timeout (HF's --ddp_timeout). Needs env.world_size > 1.
  Communicator(const DistributedEnv& env, std::chrono::milliseconds timeout = kDefaultTimeout);
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int64_t rank() const { return rank_; }
  int64_t world_size() const { return world_size_; }

  // DDP's gradient synchronisation: the defined gradients of `params` are flattened into buckets of
  // about `bucket_bytes` (one dtype per bucket), summed across ranks, divided by the world size and
  // written back. Ranks must agree on which gradients are defined; that is checked (one small
  // collective) and a disagreement throws InvalidArgument.
  void allreduce_mean_gradients(const std::vector<torch::Tensor>& params, int64_t bucket_bytes = kDefaultBucketBytes);
  // Overwrites `tensors` (parameters and buffers, in the same order on every rank) with rank 0's values,
  // as DDP does at construction.
  void broadcast_from_rank0(const std::vector<torch::Tensor>& tensors);
  // In place, for any dense tensor (bool and bfloat16 travel as uint8 and float32).
  void allreduce(torch::Tensor& tensor, ReduceOp op);
  void barrier();
  // Concatenates along dim 0 every rank's `rows` (in rank order); the first dimension may differ between
  // ranks, the other dimensions and the dtype may not.
  torch::Tensor all_gather_rows(const torch::Tensor& rows);
  // Throws InvalidArgument("ranks disagree on <what>: rank 0 has ..., rank 1 has ...") unless every rank
  // passed the same fingerprint: mismatched configs or datasets are caught at start-up. Fingerprints
  // must be stable across processes (common/checksum.h's fnv1a64, not std::hash).
  void check_agreement(const std::string& what, uint64_t fingerprint);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int64_t rank_ = 0;
  int64_t world_size_ = 1;
};

}  // namespace jpqd::training
