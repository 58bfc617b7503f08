// The seam between the model and compression.
//
// The model does not know any compression algorithm. It exposes hook points: places in its forward
// pass where a tensor (an activation, or a Linear's weight and bias) passes through whatever hooks
// compression attached, in priority order (NNCF's: sparsity 3 before quantization 11, so weights are
// masked first, then fake-quantized). Hooks are torch modules registered under the hook point, so
// their parameters (importance scores, quantizer scales) and buffers (masks) are seen by
// parameters(), named_parameters(), to(device) and checkpoints without the model knowing them.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

namespace jpqd::model {

// Transforms one tensor (an activation or an embedding table).
class TensorHook : public torch::nn::Module {
 public:
  virtual torch::Tensor transform(const torch::Tensor& x) = 0;
};

// Transforms a Linear's (weight, bias) pair; bias may be undefined.
class ParamsHook : public torch::nn::Module {
 public:
  virtual std::pair<torch::Tensor, torch::Tensor> transform(const torch::Tensor& weight,
                                                            const torch::Tensor& bias) = 0;
};

// Priorities as in NNCF: lower runs first.
constexpr int kSparsityPriority = 3;
constexpr int kQuantizationPriority = 11;

// Hooks of one kind, kept in priority order and registered as submodules of their owner under
// their own name, so state-dict keys read "<owner>.<hook name>.<parameter>".
template <typename Hook>
class HookList {
 public:
  using Entry = std::pair<std::string, std::shared_ptr<Hook>>;
  void add(torch::nn::Module& owner, const std::string& name, std::shared_ptr<Hook> hook, int priority);
  void clear(torch::nn::Module& owner);
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
  std::vector<int> priorities_;
};

// A place in the forward pass where an activation (or an embedding table) may be transformed.
// Identity when no hook is attached. State-dict names: "<point>.<hook name>.*".
class TensorHookPointImpl : public torch::nn::Module {
 public:
  void add(const std::string& name, std::shared_ptr<TensorHook> hook, int priority) {
    hooks_.add(*this, name, std::move(hook), priority);
  }
  void clear() { hooks_.clear(*this); }
  torch::Tensor forward(torch::Tensor x);
  const std::vector<HookList<TensorHook>::Entry>& hooks() const { return hooks_.entries(); }

 private:
  HookList<TensorHook> hooks_;
};
TORCH_MODULE(TensorHookPoint);

// Linear layer (PyTorch layout: weight [out, in], bias [out]) with two kinds of hooks:
//   input hooks  -> applied to the input activation (input quantizer)
//   params hooks -> applied to (weight, bias) (movement mask, then weight quantizer)
// Both are registered directly on the layer, so state-dict names are "<layer>.weight",
// "<layer>.bias" and "<layer>.<hook name>.*" (e.g. "<layer>.sparsifier.weight_importance");
// hook names must therefore be unique per layer.
class CompressibleLinearImpl : public torch::nn::Module {
 public:
  CompressibleLinearImpl(int64_t in_features, int64_t out_features, bool bias = true);

  torch::Tensor forward(const torch::Tensor& x);

  void add_input_hook(const std::string& name, std::shared_ptr<TensorHook> hook, int priority);
  void add_params_hook(const std::string& name, std::shared_ptr<ParamsHook> hook, int priority);
  void clear_hooks();

  // Weight and bias as the forward pass uses them (after every params hook).
  std::pair<torch::Tensor, torch::Tensor> effective_params();

  torch::Tensor weight;
  torch::Tensor bias;  // undefined when constructed without bias
  int64_t in_features;
  int64_t out_features;

  const std::vector<HookList<ParamsHook>::Entry>& params_hooks() const { return params_hooks_.entries(); }
  const std::vector<HookList<TensorHook>::Entry>& input_hooks() const { return input_hooks_.entries(); }

 private:
  HookList<TensorHook> input_hooks_;
  HookList<ParamsHook> params_hooks_;
};
TORCH_MODULE(CompressibleLinear);

}  // namespace jpqd::model
