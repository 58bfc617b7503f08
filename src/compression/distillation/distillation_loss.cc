#include "compression/distillation/distillation_loss.h"

namespace jpqd::compression {

torch::Tensor distillation_loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits,
                                double temperature) {
  TORCH_CHECK(student_logits.sizes() == teacher_logits.sizes(), "distillation: student logits ",
              student_logits.sizes(), " and teacher logits ", teacher_logits.sizes(), " differ in shape");
  auto log_p_student = torch::log_softmax(student_logits / temperature, -1);
  auto log_p_teacher = torch::log_softmax(teacher_logits.detach() / temperature, -1);
  // KL(p_t || p_s) summed over every element, divided by the batch size: PyTorch's "batchmean".
  auto kl = (log_p_teacher.exp() * (log_p_teacher - log_p_student)).sum();
  return kl / student_logits.size(0) * (temperature * temperature);
}

}  // namespace jpqd::compression
