#include "training/optimizer.h"

#include <algorithm>
#include <cmath>

namespace jpqd::training {

namespace {
bool decays(const std::string& name) {
  return name.find("bias") == std::string::npos && name.find("LayerNorm") == std::string::npos;
}
}  // namespace

std::unique_ptr<torch::optim::AdamW> make_adamw(const torch::nn::Module& model, const TrainingArguments& args) {
  std::vector<torch::Tensor> with_decay, without_decay;
  for (const auto& item : model.named_parameters(/*recurse=*/true)) {
    (decays(item.key()) ? with_decay : without_decay).push_back(item.value());
  }
  auto options = [&](double weight_decay) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(args.learning_rate)
            .betas({args.adam_beta1, args.adam_beta2})
            .eps(args.adam_epsilon)
            .weight_decay(weight_decay));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(with_decay, options(args.weight_decay));
  groups.emplace_back(without_decay, options(0.0));
  return std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(args.learning_rate));
}

double lr_lambda(const std::string& type, int64_t step, int64_t warmup_steps, int64_t total_steps) {
  if (type == "constant") return 1.0;
  if (step < warmup_steps) return static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup_steps));
  if (type == "constant_with_warmup") return 1.0;
  return std::max(0.0, static_cast<double>(total_steps - step) /
                           static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps)));
}

int64_t resolve_warmup_steps(const TrainingArguments& args, int64_t total_steps) {
  if (args.warmup_steps > 0) return args.warmup_steps;
  return static_cast<int64_t>(std::ceil(args.warmup_ratio * static_cast<double>(total_steps)));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

double get_learning_rate(torch::optim::Optimizer& optimizer) {
  return static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups().front().options()).lr();
}

}  // namespace jpqd::training
