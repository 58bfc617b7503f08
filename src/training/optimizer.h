// AdamW with Hugging Face's parameter groups and learning-rate schedules.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "training/training_arguments.h"

namespace jpqd::training {

// HF Trainer.create_optimizer: no weight decay for biases and LayerNorm weights (names containing
// "bias" or "LayerNorm"), which also exempts movement sparsity's bias importance scores, as in
// OVTrainer. Every parameter is included, even frozen ones (AdamW skips those without a gradient),
// so the optimizer's parameter order does not depend on when a run was resumed.
std::unique_ptr<torch::optim::AdamW> make_adamw(const torch::nn::Module& model, const TrainingArguments& args);

// lr multiplier at `step` (0-based count of optimizer steps already taken), as transformers'
// get_scheduler: linear warm-up to 1 then linear decay to 0 at total_steps (linear), or constant.
double lr_lambda(const std::string& type, int64_t step, int64_t warmup_steps, int64_t total_steps);

int64_t resolve_warmup_steps(const TrainingArguments& args, int64_t total_steps);

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr);
double get_learning_rate(torch::optim::Optimizer& optimizer);

}  // namespace jpqd::training
