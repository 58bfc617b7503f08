#include "format/random_bert.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "common/error.h"
#include "format/model_writer.h"
#include "format/tensor_names.h"

namespace jpqd::format {

namespace names = tensor_names;

namespace {

class Filler {
 public:
  explicit Filler(uint64_t seed) : rng_(seed) {}
  std::vector<float> normal(size_t n, float stddev, float mean = 0.f) {
    std::normal_distribution<float> d(mean, stddev);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng_);
    return v;
  }
  std::vector<int8_t> levels(size_t n) {
    std::uniform_int_distribution<int> d(-127, 127);
    std::vector<int8_t> v(n);
    for (auto& x : v) x = static_cast<int8_t>(d(rng_));
    return v;
  }

 private:
  std::mt19937_64 rng_;
};

uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }

}  // namespace

ModelMetadata write_random_bert(const std::string& path, const RandomBertOptions& o) {
  JPQD_CHECK(o.hidden_size > 0 && o.num_layers >= 0 && o.vocab_size > 0, InvalidArgument,
             "random BERT: hidden_size, num_layers and vocab_size must be positive");
  JPQD_CHECK(o.num_heads > 0 && o.hidden_size % o.num_heads == 0, InvalidArgument, "random BERT: hidden_size ",
             o.hidden_size, " is not a multiple of num_heads ", o.num_heads);
  ModelMetadata m;
  auto& a = m.architecture;
  a.hidden_size = o.hidden_size;
  a.vocab_size = o.vocab_size;
  a.max_position_embeddings = o.max_position_embeddings;
  a.type_vocab_size = 2;
  const int64_t head_dim = o.hidden_size / o.num_heads;
  for (int64_t i = 0; i < o.num_layers; ++i) {
    LayerShape l;
    l.num_heads = o.heads_per_layer.empty() ? o.num_heads : o.heads_per_layer.at(i);
    l.head_dim = head_dim;
    l.intermediate_size = o.ffn_per_layer.empty() ? o.intermediate_size : o.ffn_per_layer.at(i);
    a.layers.push_back(l);
  }
  m.task.type = o.task;
  m.task.num_labels = o.task == TaskType::kQuestionAnswering ? 2 : o.num_labels;
  if (o.task == TaskType::kQuestionAnswering) m.task.problem_type.clear();
  m.tokenizer.vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  for (int64_t i = 5; i < o.vocab_size; ++i) m.tokenizer.vocab.push_back("tok" + std::to_string(i));
  m.tokenizer.vocab.resize(o.vocab_size);
  m.tokenizer.model_max_length = o.max_position_embeddings;
  m.quantization.int8 = o.int8;
  m.provenance = {{"generator", "format::write_random_bert"}, {"seed", o.seed}};

  Filler fill(o.seed);
  const int64_t H = o.hidden_size;
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> linears;  // prefix, (out, in)
  for (int64_t i = 0; i < o.num_layers; ++i) {
    const int64_t A = a.layers[i].num_heads * head_dim, I = a.layers[i].intermediate_size;
    const int li = static_cast<int>(i);
    linears.push_back({names::query(li), {A, H}});
    linears.push_back({names::key(li), {A, H}});
    linears.push_back({names::value(li), {A, H}});
    linears.push_back({names::attention_output(li), {H, A}});
    linears.push_back({names::intermediate(li), {I, H}});
    linears.push_back({names::output(li), {H, I}});
  }
  if (o.task == TaskType::kQuestionAnswering) {
    linears.push_back({names::qa_outputs(), {2, H}});
  } else {
    linears.push_back({names::pooler(), {H, H}});
    linears.push_back({names::classifier(), {o.num_labels, H}});
  }
  // Typical trained ranges: LayerNorm outputs within about +-8, GELU outputs in [-0.17, ~8].
  for (const auto& [prefix, shape] : linears) {
    if (!o.int8 || prefix == names::classifier()) continue;
    ActivationQuantizer q{16.f / 255, 128, false};
    if (prefix.find("output.dense") != std::string::npos && prefix.find("attention") == std::string::npos)
      q = {8.f / 255, 5, false};
    m.quantization.linear_inputs[prefix] = q;
  }

  ModelWriter w(m.to_json());
  auto add_f32 = [&](const std::string& name, std::vector<uint64_t> shape, const std::vector<float>& v) {
    w.add_tensor(name, DType::kF32, shape, v);
  };
  add_f32(names::weight(names::word_embeddings()), {u(o.vocab_size), u(H)}, fill.normal(o.vocab_size * H, 0.02f));
  add_f32(names::weight(names::position_embeddings()), {u(o.max_position_embeddings), u(H)},
          fill.normal(o.max_position_embeddings * H, 0.02f));
  add_f32(names::weight(names::token_type_embeddings()), {2, u(H)}, fill.normal(2 * H, 0.02f));
  auto add_layer_norm = [&](const std::string& prefix) {
    add_f32(names::weight(prefix), {u(H)}, fill.normal(H, 0.05f, 1.f));
    add_f32(names::bias(prefix), {u(H)}, fill.normal(H, 0.05f));
  };
  add_layer_norm(names::embeddings_layer_norm());
  for (int64_t i = 0; i < o.num_layers; ++i) {
    add_layer_norm(names::attention_layer_norm(static_cast<int>(i)));
    add_layer_norm(names::output_layer_norm(static_cast<int>(i)));
  }
  for (const auto& [prefix, shape] : linears) {
    const auto [out, in] = shape;
    const float stddev = 1.0f / std::sqrt(static_cast<float>(std::max<int64_t>(in, 1)));
    if (m.quantization.linear_inputs.count(prefix)) {
      w.add_tensor(names::weight(prefix), DType::kS8, {u(out), u(in)}, fill.levels(out * in));
      add_f32(names::weight_scale(prefix), {u(out)}, std::vector<float>(out, stddev * 1.7f / 127));
    } else {
      add_f32(names::weight(prefix), {u(out), u(in)}, fill.normal(out * in, stddev));
    }
    add_f32(names::bias(prefix), {u(out)}, fill.normal(out, 0.02f));
  }
  w.write(path);
  return m;
}

}  // namespace jpqd::format
