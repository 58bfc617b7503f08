// Range initialisation of the compression algorithms (quantizer ranges, docs/algorithms.md 3.3) before the
// first training step.
#include "common/error.h"
#include "common/logging.h"
#include "training/calibration.h"
#include "training/distributed/data_parallel.h"
#include "training/trainer.h"
#include "training/trainer_internal.h"

namespace jpqd::training {

void Trainer::initialize_compression_ranges() {
  const int64_t wanted = controller_ ? controller_->init_samples_needed() : 0;
  if (wanted <= 0) return;
  const int64_t n = train_dataset_->size();
  JPQD_CHECK(wanted <= n, InvalidArgument, "quantization: num_init_samples ", wanted, " exceeds the ", n,
             " training samples");
  const int64_t bs = args_.per_device_train_batch_size;
  // NNCF draws its initialisation batches from the (shuffled) training loader: the first batches of epoch 0.
  // Each rank runs its share of every such batch; the controller combines what the ranks saw.
  const auto order = parallel_->epoch_indices(n, args_.seed, 0);
  const int64_t batches = detail::ceil_div(wanted, bs * parallel_->world_size());
  log_info("Initialising quantizer ranges on ", wanted, " training samples");
  const auto batch_at = [&](int64_t b) {
    return train_dataset_->batch(detail::batch_indices(order, b, bs),
                                 detail::batch_seed(args_.seed, 0, b, parallel_->rank()));
  };
  initialize_ranges(*controller_, *model_, batches, batch_at, device_, parallel_->collectives());
}

}  // namespace jpqd::training
