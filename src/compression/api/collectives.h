// What compression needs from data-parallel training, without knowing how ranks talk (training's
// Communicator provides it): quantizer range initialisation sees each rank's share of the init samples,
// and its statistics are combined across ranks so every rank initialises the same ranges a single
// process would. Every call is collective: all ranks call it in the same order with matching shapes.
#pragma once

#include <torch/torch.h>

namespace jpqd::compression {

class Collectives {
 public:
  virtual ~Collectives() = default;
  virtual void all_reduce_min(torch::Tensor& tensor) = 0;
  virtual void all_reduce_max(torch::Tensor& tensor) = 0;
  // Every rank's rows concatenated along dim 0 in rank order.
  virtual torch::Tensor all_gather_rows(const torch::Tensor& rows) = 0;
};

}  // namespace jpqd::compression
