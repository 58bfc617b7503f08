// Writes the peer-benchmark models of one named BERT shape: the SAME random LibTorch model exported three
// ways, each as model.jpqd (our runtime) and model.onnx (ONNX Runtime) from one ExportedModel, so both
// engines run identical weights, quantizers and pruning:
//
//   <out>/fp32_dense/    no compression
//   <out>/int8_dense/    8-bit QAT hooks (the quantization part of the JPQD config), ranges initialised
//   <out>/int8_pruned/   movement sparsity masks set by hand to whole heads and FFN neurons (about 1/3 of
//                        the heads, 80% of the FFN), structured masking applied, then the same quantizers
//
//   make_peer_models --shape bert-base --out DIR --vocab data/vocab/bert-base-uncased
//       --jpqd_config configs/bert-base-jpqd.json --quant_config bench/peers/quantization.json
//
// The weights are random (speed does not depend on their values); the quantizer ranges come from range
// initialisation on random token ids, so they are "trained-looking" rather than made up.
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include "common/error.h"
#include "compression/build_controller.h"
#include "compression/sparsity/movement/kept_units.h"
#include "compression/sparsity/movement/movement_sparsity_controller.h"
#include "export/export_run.h"
#include "model/bert.h"
#include "text/tokenizer.h"

namespace {

using jpqd::compression::CompositeController;
using jpqd::compression::MovementSparsityController;
namespace model = jpqd::model;

struct Options {
  std::string shape = "bert-mini";
  std::string out;
  std::string vocab = "data/vocab/bert-base-uncased";
  std::string jpqd_config = "configs/bert-base-jpqd.json";
  std::string quant_config = "bench/peers/quantization.json";
  double head_fraction = 1.0 / 3.0;  // as MACHINE.md's pruned BERT-base example
  double ffn_fraction = 0.8;
  int64_t init_batch = 8;
  uint64_t seed = 42;
};

model::Bert make_model(const Options& o) {
  auto config = model::BertConfig::named_shape(o.shape);
  JPQD_CHECK(config.has_value(), jpqd::InvalidArgument, "unknown model shape ", o.shape);
  config->set_num_labels(2);
  torch::manual_seed(o.seed);  // every variant starts from the same weights
  model::Bert m(*config, model::TaskHead::kSequenceClassification);
  m->eval();
  return m;
}

// Range initialisation as the trainer does it: eval mode, no grad, init_samples_needed() samples.
void initialise_ranges(model::BertImpl& m, CompositeController& controller, const Options& o) {
  const int64_t samples = controller.init_samples_needed();
  if (samples == 0) return;
  torch::NoGradGuard no_grad;
  m.eval();
  controller.begin_initialization();
  for (int64_t done = 0; done < samples; done += o.init_batch) {
    const int64_t b = std::min(o.init_batch, samples - done);
    m.forward({torch::randint(1000, m.config().vocab_size, {b, 128}), torch::ones({b, 128}, torch::kInt64),
               torch::zeros({b, 128}, torch::kInt64)});
  }
  controller.end_initialization(nullptr);
}

// `count` of `n` indices, chosen at random, sorted.
std::vector<int64_t> choose(int64_t n, int64_t count, std::mt19937& rng) {
  std::vector<int64_t> all(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) all[static_cast<size_t>(i)] = i;
  std::shuffle(all.begin(), all.end(), rng);
  all.resize(static_cast<size_t>(count));
  std::sort(all.begin(), all.end());
  return all;
}

// Masks as structured masking leaves them: whole heads (Q/K/V rows and biases, attention-output
// columns) and whole FFN neurons (intermediate rows and biases, output columns). Head counts alternate
// between floor and ceil of the fraction so the average matches it when it is not a whole number.
void mask_heads_and_neurons(model::BertImpl& m, const Options& o) {
  const auto& c = m.config();
  const int64_t d = c.head_dim();
  const double want_heads = o.head_fraction * static_cast<double>(c.num_attention_heads);
  const int64_t ffn_keep = std::max<int64_t>(1, std::llround(o.ffn_fraction * static_cast<double>(c.intermediate_size)));
  std::mt19937 rng(static_cast<uint32_t>(o.seed));
  std::vector<std::vector<int64_t>> heads, neurons;
  for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
    constexpr double kRoundingSlack = 1e-9;  // 12 * (1/3) must count as 4, not 3.999...
    const auto upto = [&](int64_t layers) {
      return static_cast<int64_t>(std::floor(want_heads * static_cast<double>(layers) + kRoundingSlack));
    };
    const int64_t k = std::clamp<int64_t>(upto(l + 1) - upto(l), 1, c.num_attention_heads);
    heads.push_back(choose(c.num_attention_heads, k, rng));
    neurons.push_back(choose(c.intermediate_size, ffn_keep, rng));
  }
  jpqd::compression::set_kept_units(m.graph(), d, heads, neurons);
}

std::unique_ptr<CompositeController> attach(model::BertImpl& m, const std::string& config_path) {
  jpqd::compression::BuildContext context;
  context.num_train_epochs = 1000;  // warm-up epochs are never reached: masks are set by hand
  return jpqd::compression::build_controller(jpqd::compression::CompressionConfig::from_file(config_path), m, context);
}

void export_to(model::BertImpl& m, const CompositeController* controller, const jpqd::text::Tokenizer& tokenizer,
               const Options& o, const std::string& variant) {
  jpqd::exporter::ExportTargets targets;
  targets.dir = (std::filesystem::path(o.out) / variant).string();
  std::filesystem::create_directories(targets.dir);
  targets.provenance = {{"source", "bench/peers/make_peer_models"}, {"shape", o.shape}, {"variant", variant},
                        {"seed", o.seed}, {"weights", "random"}};
  const jpqd::Json summary = jpqd::exporter::export_trained_model(m, controller, tokenizer, targets);
  std::printf("%s: %s\n", targets.dir.c_str(), summary["files"].dump().c_str());
}

int run(const Options& o) {
  torch::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  const auto tokenizer = jpqd::text::Tokenizer::from_directory(o.vocab);
  {
    model::Bert m = make_model(o);
    export_to(*m, nullptr, tokenizer, o, "fp32_dense");
  }
  {
    model::Bert m = make_model(o);
    auto controller = attach(*m, o.quant_config);
    initialise_ranges(*m, *controller, o);
    export_to(*m, controller.get(), tokenizer, o, "int8_dense");
  }
  {
    model::Bert m = make_model(o);
    auto controller = attach(*m, o.jpqd_config);
    auto* movement = dynamic_cast<MovementSparsityController*>(controller->find("movement_sparsity"));
    JPQD_CHECK(movement != nullptr, jpqd::InvalidArgument, o.jpqd_config, ": has no movement_sparsity algorithm");
    mask_heads_and_neurons(*m, o);
    movement->apply_structured_masking();  // resolves to the same heads and neurons, marks it done
    movement->freeze();
    initialise_ranges(*m, *controller, o);  // after the masks: mask, then quantize
    export_to(*m, controller.get(), tokenizer, o, "int8_pruned");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Random BERT models for the peer benchmark, as model.jpqd + model.onnx pairs"};
  app.add_option("--shape", o.shape, "Named shape (bert-mini, bert-base, ...)")->capture_default_str();
  app.add_option("--out", o.out, "Output directory (one sub-directory per variant)")->required();
  app.add_option("--vocab", o.vocab, "Tokenizer directory stored in model.jpqd")->capture_default_str();
  app.add_option("--jpqd_config", o.jpqd_config, "Movement sparsity + quantization config")->capture_default_str();
  app.add_option("--quant_config", o.quant_config, "Quantization-only config")->capture_default_str();
  app.add_option("--head_fraction", o.head_fraction, "Attention heads kept in int8_pruned")->capture_default_str();
  app.add_option("--ffn_fraction", o.ffn_fraction, "FFN neurons kept in int8_pruned")->capture_default_str();
  app.add_option("--seed", o.seed)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_peer_models: error: %s\n", e.what());
    return 1;
  }
}
