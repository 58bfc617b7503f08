// Knowledge distillation as Optimum Intel's OVTrainer computes it (docs/algorithms.md section 4):
//   L_KD = T² · KL(softmax(z_t/T) ‖ softmax(z_s/T)), reduction "batchmean" (sum over classes,
//   mean over the batch), softmax over the last dimension.
//   L = (1 − w)·L_task + w·L_KD, and for question answering L_KD is the mean of the start and end terms.
#pragma once

#include <torch/torch.h>

namespace jpqd::compression {

struct DistillationSettings {
  double weight = 0.5;       // w in [0, 1]
  double temperature = 2.0;  // T >= 1
};

// student_logits and teacher_logits: [B, ..., C]; the teacher's carry no gradient.
torch::Tensor distillation_loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                                double temperature);

}  // namespace jpqd::compression
