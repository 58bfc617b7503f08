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
  // "<base>.encoder.layer." / "distilbert.transformer.layer.": the query of layer 0 up to its index.
  const std::string query0 = shallow.architecture().module_path(architecture::NodeRole::kQuery, 0);
  const std::string layers = query0.substr(0, query0.find(".0.") + 1);
  const std::regex layer_name("^" + std::regex_replace(layers, std::regex(R"(\.)"), R"(\.)") + R"((\d+)\.(.*)$)");
  torch::NoGradGuard no_grad;
  auto copy_into = [&](const std::string& name, torch::Tensor& target) {
    std::string from = name;
    std::smatch m;
    if (std::regex_match(name, m, layer_name))
      from = layers + std::to_string(std::stoll(m[1].str()) / 2) + "." + m[2].str();
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
