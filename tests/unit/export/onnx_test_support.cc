#include "onnx_test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "common/file_io.h"
#include "common/json_util.h"

namespace jpqd::exporter::testing {

namespace {

constexpr int64_t kHidden = 32, kHeads = 4, kHeadDim = 8, kLayers = 2, kVocab = 100, kMaxPositions = 64;
constexpr int64_t kIntermediate = 64, kNumLabels = 3;
const std::vector<int64_t> kHeadsPerLayer = {2, 0};
const std::vector<int64_t> kIntermediatePerLayer = {37, 64};

std::string layer_prefix(int64_t layer) { return "bert.encoder.layer." + std::to_string(layer) + "."; }

// ---- reference forward -------------------------------------------------------------------------------

// Calibration observes every activation-quantizer point instead of quantizing it.
using Observer = std::function<void(const std::string& point, const torch::Tensor& x)>;

torch::Tensor fake_quantize(const torch::Tensor& x, const ActivationQuant& q) {
  // Division by a full tensor (not a scalar) keeps IEEE division, as the contract writes x / scale.
  torch::Tensor levels = torch::round(torch::div(x, torch::full_like(x, q.scale))) + q.zero_point;
  levels = torch::clamp(levels, q.qmin(), q.qmax());
  return (levels - q.zero_point) * q.scale;
}

class Reference {
 public:
  Reference(const ExportedModel& m, const Observer* observer) : m_(m), observer_(observer) {}

  std::map<std::string, torch::Tensor> forward(const ModelInputs& in) {
    const int64_t seq = in.input_ids.size(1);
    torch::Tensor x = table("bert.embeddings.word_embeddings.weight")
                          .index_select(0, in.input_ids.flatten())
                          .view({in.input_ids.size(0), seq, -1});
    x = x +
        table("bert.embeddings.token_type_embeddings.weight").index_select(0, in.token_type_ids.flatten()).view_as(x);
    x = x + table("bert.embeddings.position_embeddings.weight").slice(0, 0, seq).unsqueeze(0);
    x = layer_norm(x, "bert.embeddings.LayerNorm");
    const torch::Tensor additive =
        (1.0f - in.attention_mask.to(torch::kFloat)).view({-1, 1, 1, seq}) * std::numeric_limits<float>::lowest();
    for (int64_t layer = 0; layer < m_.config.num_hidden_layers; ++layer) {
      x = attention(layer, x, additive);
      x = feed_forward(layer, x);
    }
    if (m_.head == model::TaskHead::kSequenceClassification) {
      torch::Tensor pooled = torch::tanh(linear("bert.pooler.dense", x.select(1, 0)));
      return {{"logits", linear("classifier", pooled)}};
    }
    torch::Tensor both = linear("qa_outputs", x);
    return {{"start_logits", both.select(2, 0)}, {"end_logits", both.select(2, 1)}};
  }

 private:
  const torch::Tensor& t(const std::string& name) const { return m_.tensors.at(name); }

  torch::Tensor point(const std::string& name, const ActivationQuant* q, const torch::Tensor& x) const {
    if (observer_) {
      (*observer_)(name, x);
      return x;
    }
    return q ? fake_quantize(x, *q) : x;
  }

  torch::Tensor weight(const std::string& module) const {
    auto it = m_.linears.find(module);
    if (it != m_.linears.end() && it->second.weight) {
      return it->second.weight->values.to(torch::kFloat) * it->second.weight->scales.unsqueeze(1);
    }
    return t(module + ".weight");
  }

  const ActivationQuant* input_quant(const std::string& module) const {
    auto it = m_.linears.find(module);
    return it != m_.linears.end() && it->second.input ? &*it->second.input : nullptr;
  }

  torch::Tensor linear(const std::string& module, torch::Tensor x, bool quantize_input = true) const {
    if (quantize_input) x = point(module, input_quant(module), x);
    return torch::matmul(x, weight(module).t()) + t(module + ".bias");
  }

  torch::Tensor table(const std::string& name) const {
    auto it = m_.embeddings.find(name);
    if (it == m_.embeddings.end()) return t(name);
    return it->second.values.to(torch::kFloat) * it->second.scales.unsqueeze(1);
  }

  torch::Tensor layer_norm(const torch::Tensor& x, const std::string& module) const {
    return torch::layer_norm(x, {x.size(-1)}, t(module + ".weight"), t(module + ".bias"), m_.config.layer_norm_eps);
  }

  torch::Tensor activation(const torch::Tensor& x) const {
    const std::string& act = m_.config.hidden_act;
    if (act == "relu") return torch::clamp_min(x, 0.0);
    if (act == "gelu") return 0.5 * x * (1.0 + torch::erf(x / std::sqrt(2.0)));
    // gelu_new: the tanh approximation.
    return 0.5 * x * (1.0 + torch::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * torch::pow(x, 3))));
  }

  static const ActivationQuant* find(const std::map<int64_t, ActivationQuant>& m, int64_t layer) {
    auto it = m.find(layer);
    return it == m.end() ? nullptr : &it->second;
  }

  torch::Tensor attention(int64_t layer, const torch::Tensor& hidden, const torch::Tensor& additive) const {
    const std::string p = layer_prefix(layer);
    const int64_t heads = m_.config.layer_heads(layer);
    torch::Tensor projected;
    if (heads == 0) {
      projected = t(p + "attention.output.dense.bias");
    } else {
      const int64_t batch = hidden.size(0), seq = hidden.size(1);
      const torch::Tensor x = point(p + "qkv", input_quant(p + "attention.self.query"), hidden);
      auto split = [&](const std::string& name) {
        return linear(p + "attention.self." + name, x, false).view({batch, seq, heads, kHeadDim}).permute({0, 2, 1, 3});
      };
      const torch::Tensor q = point(p + "matmul_0_input_0", find(m_.query_quant, layer), split("query"));
      const torch::Tensor k = point(p + "matmul_0_input_1", find(m_.key_quant, layer), split("key"));
      const torch::Tensor v = split("value");
      torch::Tensor scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(kHeadDim));
      const torch::Tensor probs = torch::softmax(scores + additive, -1);
      const torch::Tensor context =
          torch::matmul(probs, v).permute({0, 2, 1, 3}).reshape({batch, seq, heads * kHeadDim});
      projected = linear(p + "attention.output.dense", context);
    }
    return layer_norm(projected + hidden, p + "attention.output.LayerNorm");
  }

  torch::Tensor feed_forward(int64_t layer, const torch::Tensor& hidden) const {
    const std::string p = layer_prefix(layer);
    const torch::Tensor inner = activation(linear(p + "intermediate.dense", hidden));
    return layer_norm(linear(p + "output.dense", inner) + hidden, p + "output.LayerNorm");
  }

  const ExportedModel& m_;
  const Observer* observer_;
};

// ---- the tiny model ----------------------------------------------------------------------------------

void add_linear(ExportedModel& m, const std::string& module, int64_t out, int64_t in) {
  m.tensors[module + ".weight"] = torch::randn({out, in}) / std::sqrt(static_cast<double>(std::max<int64_t>(in, 1)));
  m.tensors[module + ".bias"] = 0.1 * torch::randn({out});
}

void add_layer_norm(ExportedModel& m, const std::string& module) {
  m.tensors[module + ".weight"] = 1.0 + 0.1 * torch::randn({kHidden});
  m.tensors[module + ".bias"] = 0.1 * torch::randn({kHidden});
}

WeightQuant quantize_rows(const torch::Tensor& w) {
  // Symmetric per row, levels -127..127 (what NNCF's narrow-range weight quantizer produces).
  torch::Tensor scales = std::get<0>(w.abs().max(1)) / 127.0;
  torch::Tensor values = torch::clamp(torch::round(w / scales.unsqueeze(1)), -127, 127).to(torch::kChar);
  return {values, scales.contiguous()};
}

ActivationQuant asymmetric(float lo, float hi, bool is_signed) {
  lo = std::min(lo, 0.0f);
  hi = std::max(hi, 0.0f);
  ActivationQuant q;
  q.is_signed = is_signed;
  q.scale = (hi - lo) / 255.0f;
  q.zero_point = static_cast<int32_t>(std::lround(-lo / q.scale)) + (is_signed ? -128 : 0);
  q.zero_point = std::clamp(q.zero_point, q.qmin(), q.qmax());
  return q;
}

// Symmetric: zero point 0; `levels` below 127 (signed) or 255 (unsigned) saturates the largest values.
ActivationQuant symmetric(float lo, float hi, bool is_signed, float levels) {
  ActivationQuant q;
  q.is_signed = is_signed;
  q.scale = std::max(std::abs(lo), std::abs(hi)) / levels;
  return q;
}

}  // namespace

ModelInputs make_inputs(uint64_t seed) {
  torch::manual_seed(seed);
  const std::vector<int64_t> lengths = {9, 6, 2};
  const int64_t batch = static_cast<int64_t>(lengths.size()), seq = lengths[0];
  ModelInputs in;
  in.input_ids = torch::zeros({batch, seq}, torch::kLong);
  in.attention_mask = torch::zeros({batch, seq}, torch::kLong);
  in.token_type_ids = torch::zeros({batch, seq}, torch::kLong);
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t n = lengths[b];
    in.input_ids.index_put_({b, torch::indexing::Slice(0, n)}, torch::randint(1, kVocab, {n}, torch::kLong));
    in.attention_mask.index_put_({b, torch::indexing::Slice(0, n)}, 1);
    in.token_type_ids.index_put_({b, torch::indexing::Slice(n / 2, n)}, 1);
  }
  return in;
}

ExportedModel make_tiny_model(const TinyModelSpec& spec, const ModelInputs& calibration) {
  torch::manual_seed(spec.seed);
  ExportedModel m;
  m.head = spec.head;
  model::BertConfig& c = m.config;
  c.vocab_size = kVocab;
  c.hidden_size = kHidden;
  c.num_hidden_layers = kLayers;
  c.num_attention_heads = kHeads;
  c.intermediate_size = kIntermediate;
  c.max_position_embeddings = kMaxPositions;
  c.hidden_act = spec.hidden_act;
  c.heads_per_layer = kHeadsPerLayer;
  c.intermediate_per_layer = kIntermediatePerLayer;
  for (int64_t i = 0; i < kNumLabels; ++i) c.id2label[i] = "label_" + std::to_string(i);

  m.tensors["bert.embeddings.word_embeddings.weight"] = torch::randn({kVocab, kHidden});
  m.tensors["bert.embeddings.position_embeddings.weight"] = torch::randn({kMaxPositions, kHidden});
  m.tensors["bert.embeddings.token_type_embeddings.weight"] = torch::randn({2, kHidden});
  add_layer_norm(m, "bert.embeddings.LayerNorm");
  for (int64_t layer = 0; layer < kLayers; ++layer) {
    const std::string p = layer_prefix(layer);
    const int64_t inner = kHeadsPerLayer[layer] * kHeadDim, width = kIntermediatePerLayer[layer];
    // A layer without heads keeps empty Q/K/V tensors, as physical pruning leaves them.
    for (const char* name : {"query", "key", "value"}) add_linear(m, p + "attention.self." + name, inner, kHidden);
    add_linear(m, p + "attention.output.dense", kHidden, inner);
    add_layer_norm(m, p + "attention.output.LayerNorm");
    add_linear(m, p + "intermediate.dense", width, kHidden);
    add_linear(m, p + "output.dense", kHidden, width);
    add_layer_norm(m, p + "output.LayerNorm");
  }
  if (spec.head == model::TaskHead::kSequenceClassification) {
    add_linear(m, "bert.pooler.dense", kHidden, kHidden);
    add_linear(m, "classifier", kNumLabels, kHidden);
  } else {
    add_linear(m, "qa_outputs", 2, kHidden);
  }
  if (!spec.quantized) return m;

  // Calibrate activation ranges on the FP32 model, then attach one quantizer per point.
  std::map<std::string, std::pair<float, float>> ranges;
  const Observer observe = [&](const std::string& point, const torch::Tensor& x) {
    const float lo = x.min().item<float>(), hi = x.max().item<float>();
    auto it = ranges.find(point);
    if (it == ranges.end()) {
      ranges[point] = {lo, hi};
    } else {
      it->second = {std::min(it->second.first, lo), std::max(it->second.second, hi)};
    }
  };
  Reference(m, &observe).forward(calibration);
  auto range = [&](const std::string& point) { return ranges.at(point); };
  for (int64_t layer = 0; layer < kLayers; ++layer) {
    const std::string p = layer_prefix(layer);
    if (kHeadsPerLayer[layer] > 0) {
      auto [lo, hi] = range(p + "qkv");
      for (const char* name : {"query", "key", "value"}) {
        m.linears[p + "attention.self." + name].input = asymmetric(lo, hi, false);
      }
      std::tie(lo, hi) = range(p + "matmul_0_input_0");
      m.query_quant[layer] = symmetric(lo, hi, true, 127.0f);
      std::tie(lo, hi) = range(p + "matmul_0_input_1");
      m.key_quant[layer] = symmetric(lo, hi, true, 100.0f);  // saturates the largest keys
      std::tie(lo, hi) = range(p + "attention.output.dense");
      m.linears[p + "attention.output.dense"].input = asymmetric(lo, hi, true);
    }
    auto [lo, hi] = range(p + "intermediate.dense");
    m.linears[p + "intermediate.dense"].input = asymmetric(lo, hi, false);
    std::tie(lo, hi) = range(p + "output.dense");
    m.linears[p + "output.dense"].input =
        spec.hidden_act == "relu" ? symmetric(lo, hi, false, 255.0f) : asymmetric(lo, hi, false);
  }
  if (spec.head == model::TaskHead::kSequenceClassification) {
    auto [lo, hi] = range("bert.pooler.dense");
    m.linears["bert.pooler.dense"].input = symmetric(lo, hi, true, 127.0f);
    std::tie(lo, hi) = range("classifier");
    m.linears["classifier"].input = asymmetric(lo, hi, false);
  } else {
    auto [lo, hi] = range("qa_outputs");
    m.linears["qa_outputs"].input = asymmetric(lo, hi, true);
  }
  // Int8 weights for every Linear that has any rows, int8 rows for every embedding table.
  for (const auto& [name, tensor] : m.tensors) {
    const std::string suffix = ".weight";
    if (name.find("LayerNorm") != std::string::npos || tensor.numel() == 0) continue;
    if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) continue;
    const std::string module = name.substr(0, name.size() - suffix.size());
    if (name.find("embeddings.") != std::string::npos) {
      m.embeddings[name] = quantize_rows(tensor);
    } else {
      m.linears[module].weight = quantize_rows(tensor);
    }
  }
  return m;
}

std::map<std::string, torch::Tensor> reference_forward(const ExportedModel& model, const ModelInputs& inputs) {
  torch::NoGradGuard no_grad;
  return Reference(model, nullptr).forward(inputs);
}

std::string make_temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("jpqd_onnx_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

namespace {

Json to_nested(const torch::Tensor& t) {
  Json rows = Json::array();
  for (int64_t b = 0; b < t.size(0); ++b) {
    Json row = Json::array();
    for (int64_t s = 0; s < t.size(1); ++s) row.push_back(t[b][s].item<int64_t>());
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

std::map<std::string, torch::Tensor> run_onnxruntime(const std::string& onnx_path, const ModelInputs& inputs,
                                                     const std::string& opt_level) {
  if (std::system("node --version > /dev/null 2>&1") != 0) {
    ADD_FAILURE() << "node is not on PATH: the ONNX Runtime parity tests need node 20 and onnxruntime-node "
                     "(setup installs them: npm install --ignore-scripts in tools/onnxruntime)";
    return {};
  }
  const std::string dir = std::filesystem::path(onnx_path).parent_path().string();
  const std::string input = dir + "/ort_inputs.json", output = dir + "/ort_outputs.json", log = dir + "/ort_stderr.txt";
  Json feeds = {{"input_ids", to_nested(inputs.input_ids)},
                {"attention_mask", to_nested(inputs.attention_mask)},
                {"token_type_ids", to_nested(inputs.token_type_ids)}};
  write_file_atomically(input, feeds.dump());
  std::filesystem::remove(output);
  const std::string command = std::string("node '") + JPQD_SOURCE_DIR + "/tools/onnxruntime/run_model.js' --model '" +
                              onnx_path + "' --input '" + input + "' --output '" + output + "' --threads 1 --opt " +
                              opt_level + " 2> '" + log + "'";
  if (std::system(command.c_str()) != 0) {
    ADD_FAILURE() << "ONNX Runtime run failed (is onnxruntime-node installed under tools/onnxruntime? setup runs "
                     "npm install --ignore-scripts there): "
                  << command << "\n"
                  << (file_exists(log) ? read_text_file(log) : std::string());
    return {};
  }
  const Json result = read_json_file(output);
  std::map<std::string, torch::Tensor> outputs;
  for (const auto& [name, value] : result.at("outputs").items()) {
    std::vector<int64_t> dims = value.at("dims").get<std::vector<int64_t>>();
    std::vector<float> data = value.at("data").get<std::vector<float>>();
    outputs[name] = torch::tensor(data, torch::kFloat).reshape(dims);
  }
  return outputs;
}

}  // namespace jpqd::exporter::testing
