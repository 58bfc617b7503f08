// The training and evaluation loss: (1 - w)·task + w·KD + compression (docs/algorithms.md section 4).
#include "common/error.h"
#include "compression/distillation/distillation_loss.h"
#include "training/mixed_precision.h"
#include "training/trainer.h"

namespace jpqd::training {

namespace {

// Losses are computed in float32 whatever precision the forward ran in, as HF's autocast training does.
model::BertOutputs in_float32(model::BertOutputs out) {
  for (torch::Tensor* t : {&out.logits, &out.start_logits, &out.end_logits})
    if (t->defined() && t->scalar_type() != torch::kFloat) *t = t->to(torch::kFloat);
  return out;
}

}  // namespace

torch::Tensor Trainer::compute_loss(const Batch& batch, Json* parts) {
  AutocastBf16Scope autocast(bf16_autocast_ && model_->is_training());
  return loss_from_outputs(batch, in_float32(model_->forward(batch.inputs)), parts);
}

torch::Tensor Trainer::loss_from_outputs(const Batch& batch, const model::BertOutputs& out, Json* parts) {
  torch::Tensor task = model_->loss(out, batch.labels);
  torch::Tensor loss = task;
  if (parts) (*parts)["task_loss"] = task.item<double>();
  if (teacher_) {
    model::BertOutputs t;
    {
      torch::NoGradGuard no_grad;
      if (!batch.teacher_inputs) check_teacher_reads_student_ids();
      t = in_float32(teacher_->forward(batch.teacher_inputs ? *batch.teacher_inputs : batch.inputs));
    }
    const double T = args_.distillation_temperature;
    torch::Tensor kd = model_->head() == model::TaskHead::kQuestionAnswering
                           ? (compression::distillation_loss(out.start_logits, t.start_logits, T) +
                              compression::distillation_loss(out.end_logits, t.end_logits, T)) / 2
                           : compression::distillation_loss(out.logits, t.logits, T);
    loss = (1 - args_.distillation_weight) * task + args_.distillation_weight * kd;
    if (parts) (*parts)["distillation_loss"] = kd.item<double>();
  }
  if (controller_) {
    torch::Tensor c = controller_->loss();
    loss = loss + c;
    if (parts) (*parts)["compression_loss"] = c.item<double>();
  }
  return loss;
}

void Trainer::check_teacher_reads_student_ids() const {
  const int64_t t = teacher_->config().vocab_size, s = model_->config().vocab_size;
  JPQD_CHECK(t == s, InvalidArgument, "teacher vocabulary size ", t, " differs from the student's ", s,
             ", and the data carries no token ids of the teacher's own tokenizer");
}

}  // namespace jpqd::training
