#include "model/layer_stacking.h"

#include <regex>

#include "common/error.h"

namespace jpqd::model {

namespace {

std::vector<int64_t> repeat_each(const std::vector<int64_t>& per_layer) {
  std::vector<int64_t> out;
  for (auto v : per_layer) out.insert(out.end(), {v, v});
  return out;
}

}  // namespace

Bert stack_layers(BertImpl& shallow) {
  BertConfig config = shallow.config();
  config.num_hidden_layers *= 2;
  config.heads_per_layer = repeat_each(config.heads_per_layer);
  config.intermediate_per_layer = repeat_each(config.intermediate_per_layer);
  Bert deep(config, shallow.head());

  auto source = shallow.named_parameters(true);
  auto source_buffers = shallow.named_buffers(true);
  const std::regex layer_name(R"(^bert\.encoder\.layer\.(\d+)\.(.*)$)");
  torch::NoGradGuard no_grad;
  auto copy_into = [&](const std::string& name, torch::Tensor& target) {
    std::string from = name;
    std::smatch m;
    if (std::regex_match(name, m, layer_name))
      from = "bert.encoder.layer." + std::to_string(std::stoll(m[1].str()) / 2) + "." + m[2].str();
    const torch::Tensor* src = source.find(from);
    if (!src) src = source_buffers.find(from);
    JPQD_CHECK(src != nullptr, InvalidArgument, "layer stacking: the shallow model has no ", from);
    target.copy_(*src);
  };
  for (auto& p : deep->named_parameters(true)) copy_into(p.key(), p.value());
  for (auto& b : deep->named_buffers(true)) copy_into(b.key(), b.value());
  deep->train(shallow.is_training());
  return deep;
}

}  // namespace jpqd::model
