#include "model/hooks.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace jpqd::model {

template <typename Hook>
void HookList<Hook>::add(torch::nn::Module& owner, const std::string& name, std::shared_ptr<Hook> hook,
                         int priority) {
  for (const auto& entry : entries_)
    JPQD_CHECK(entry.first != name, InvalidArgument, owner.name(), ": hook \"", name, "\" attached twice");
  owner.register_module(name, hook);
  // Equal priorities keep insertion order.
  auto pos = std::upper_bound(priorities_.begin(), priorities_.end(), priority);
  auto index = pos - priorities_.begin();
  priorities_.insert(pos, priority);
  entries_.insert(entries_.begin() + index, Entry{name, std::move(hook)});
}

template <typename Hook>
void HookList<Hook>::clear(torch::nn::Module& owner) {
  for (auto& entry : entries_) owner.unregister_module(entry.first);
  entries_.clear();
  priorities_.clear();
}

template class HookList<TensorHook>;
template class HookList<ParamsHook>;

torch::Tensor TensorHookPointImpl::forward(torch::Tensor x) {
  for (auto& entry : hooks_.entries()) x = entry.second->transform(x);
  return x;
}

CompressibleLinearImpl::CompressibleLinearImpl(int64_t in, int64_t out, bool with_bias)
    : in_features(in), out_features(out) {
  weight = register_parameter("weight", torch::empty({out, in}));
  if (with_bias) bias = register_parameter("bias", torch::zeros({out}));
  // Same initialisation as torch.nn.Linear, so a fresh layer behaves like PyTorch's. A pruned layer
  // may have no inputs or outputs at all (a layer without heads): nothing to draw, and the bounds
  // would be infinite.
  if (in == 0 || out == 0) {
    torch::NoGradGuard no_grad;
    weight.zero_();
    return;
  }
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (with_bias) {
    double bound = 1.0 / std::sqrt(static_cast<double>(in));
    torch::nn::init::uniform_(bias, -bound, bound);
  }
}

void CompressibleLinearImpl::add_input_hook(const std::string& name, std::shared_ptr<TensorHook> hook,
                                            int priority) {
  input_hooks_.add(*this, name, std::move(hook), priority);
}

void CompressibleLinearImpl::add_params_hook(const std::string& name, std::shared_ptr<ParamsHook> hook,
                                             int priority) {
  params_hooks_.add(*this, name, std::move(hook), priority);
}

void CompressibleLinearImpl::clear_hooks() {
  input_hooks_.clear(*this);
  params_hooks_.clear(*this);
}

std::pair<torch::Tensor, torch::Tensor> CompressibleLinearImpl::effective_params() {
  std::pair<torch::Tensor, torch::Tensor> p{weight, bias};
  for (auto& entry : params_hooks_.entries()) p = entry.second->transform(p.first, p.second);
  return p;
}

torch::Tensor CompressibleLinearImpl::forward(const torch::Tensor& x) {
  torch::Tensor input = x;
  for (auto& entry : input_hooks_.entries()) input = entry.second->transform(input);
  if (params_hooks_.empty()) return torch::nn::functional::linear(input, weight, bias);
  auto [w, b] = effective_params();
  return torch::nn::functional::linear(input, w, b);
}

}  // namespace jpqd::model
