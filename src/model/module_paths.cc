#include "model/module_paths.h"

#include <utility>

namespace jpqd::model {

namespace {

// The container that will hold the last segment of `path`, and that segment.
std::pair<torch::nn::Module*, std::string> parent_of_path(torch::nn::Module& root, const std::string& path) {
  torch::nn::Module* at = &root;
  size_t begin = 0;
  for (size_t dot = path.find('.'); dot != std::string::npos; begin = dot + 1, dot = path.find('.', begin)) {
    const std::string segment = path.substr(begin, dot - begin);
    auto children = at->named_children();
    if (auto* existing = children.find(segment)) {
      at = existing->get();
    } else {
      at = at->register_module(segment, std::make_shared<torch::nn::Module>(segment)).get();
    }
  }
  return {at, path.substr(begin)};
}

}  // namespace

void register_module_at(torch::nn::Module& root, const std::string& path, std::shared_ptr<torch::nn::Module> module) {
  auto [parent, name] = parent_of_path(root, path);
  parent->register_module(name, std::move(module));
}

torch::Tensor register_parameter_at(torch::nn::Module& root, const std::string& path, torch::Tensor value) {
  auto [parent, name] = parent_of_path(root, path);
  return parent->register_parameter(name, std::move(value));
}

}  // namespace jpqd::model
