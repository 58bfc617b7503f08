// Registers modules and parameters at dotted Hugging Face paths ("roberta.encoder.layer.0.attention.self.query"),
// creating plain container modules on the way, so that named_parameters() reads exactly as the family's
// state dict whatever the family's module tree looks like.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>

namespace jpqd::model {

void register_module_at(torch::nn::Module& root, const std::string& path, std::shared_ptr<torch::nn::Module> module);
torch::Tensor register_parameter_at(torch::nn::Module& root, const std::string& path, torch::Tensor value);

}  // namespace jpqd::model
