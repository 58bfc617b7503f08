// Training-step throughput of jpqd's BERT on LibTorch: plain fine-tuning, or with a compression config
// (movement sparsity, QAT) and/or a teacher, so their overheads are measured against plain fine-tuning in
// the same run (bench/train_step/compare.sh). The step is the trainer's: controller.step(), forward,
// task loss (+ distillation + compression loss), backward, clip_grad_norm_(1.0), AdamW step, zero_grad.
// Prints one JSON line.
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "common/error.h"
#include "compression/build_controller.h"
#include "compression/distillation/distillation_loss.h"
#include "model/bert.h"
#include "training/mixed_precision.h"
#include "training/optimizer.h"

namespace {

struct Options {
  std::string model = "bert-mini";
  std::string teacher;
  std::string config;
  int64_t batch = 32, seq = 128, steps = 10, warmup = 2, threads = 0, seed = 42;
  bool bf16 = false;
};

jpqd::model::Bert make_model(const std::string& shape) {
  auto config = jpqd::model::BertConfig::named_shape(shape);
  if (!config) throw jpqd::InvalidArgument("unknown model shape " + shape);
  config->set_num_labels(2);
  return jpqd::model::Bert(*config, jpqd::model::TaskHead::kSequenceClassification);
}

int run(const Options& o) {
  const int threads = static_cast<int>(o.threads > 0 ? o.threads : std::thread::hardware_concurrency());
  torch::set_num_threads(threads);
  torch::manual_seed(static_cast<uint64_t>(o.seed));
  auto model = make_model(o.model);
  jpqd::model::Bert teacher{nullptr};
  if (!o.teacher.empty()) {
    teacher = make_model(o.teacher);
    teacher->eval();
    for (auto& p : teacher->parameters()) p.set_requires_grad(false);
  }
  const int64_t vocab = model->config().vocab_size;
  jpqd::model::BertInputs inputs{torch::randint(1000, vocab, {o.batch, o.seq}), torch::ones({o.batch, o.seq}, torch::kInt64),
                                 torch::zeros({o.batch, o.seq}, torch::kInt64)};
  jpqd::model::BertLabels labels;
  labels.labels = torch::randint(0, 2, {o.batch});

  std::unique_ptr<jpqd::compression::CompositeController> controller;
  if (!o.config.empty()) {
    jpqd::compression::BuildContext context;
    context.num_train_epochs = 1000;
    controller = jpqd::compression::build_controller(jpqd::compression::CompressionConfig::from_file(o.config),
                                                     *model, context);
    if (controller->init_samples_needed() > 0) {
      torch::NoGradGuard no_grad;
      model->eval();
      controller->begin_initialization();
      model->forward(inputs);
      controller->end_initialization(nullptr);
    }
    controller->epoch_step();
  }
  model->train();
  jpqd::training::TrainingArguments args;
  args.output_dir = "unused";
  args.learning_rate = 2e-5;
  auto optimizer = jpqd::training::make_adamw(*model, args);

  if (o.bf16 && !jpqd::training::cpu_has_native_bf16())
    throw jpqd::InvalidArgument("--bf16: this CPU has no native bfloat16 arithmetic");
  auto step = [&] {
    if (controller) controller->step();
    torch::Tensor loss;
    {
      jpqd::training::AutocastBf16Scope autocast(o.bf16);  // as the Trainer does with --bf16
      auto out = model->forward(inputs);
      out.logits = out.logits.to(torch::kFloat);
      loss = model->loss(out, labels);
      if (teacher) {
        torch::Tensor teacher_logits;
        {
          torch::NoGradGuard no_grad;
          teacher_logits = teacher->forward(inputs).logits.to(torch::kFloat);
        }
        loss = 0.1 * loss + 0.9 * jpqd::compression::distillation_loss(out.logits, teacher_logits, 2.0);
      }
      if (controller) loss = loss + controller->loss();
    }
    loss.backward();
    std::vector<torch::Tensor> params;
    for (auto& p : model->parameters())
      if (p.grad().defined()) params.push_back(p);
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    optimizer->step();
    optimizer->zero_grad();
  };
  for (int64_t i = 0; i < o.warmup; ++i) step();
  std::vector<double> times;
  for (int64_t i = 0; i < o.steps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    step();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  std::printf(
      "{\"engine\": \"jpqd\", \"model\": \"%s\", \"teacher\": \"%s\", \"config\": \"%s\", \"batch\": %lld, \"seq\": %lld, "
      "\"threads\": %d, \"precision\": \"%s\", \"steps\": %lld, \"median_step_s\": %.6f, \"tokens_per_s\": %.3f}\n",
      o.model.c_str(), o.teacher.c_str(), o.config.c_str(), static_cast<long long>(o.batch),
      static_cast<long long>(o.seq), threads, o.bf16 ? "bf16" : "fp32", static_cast<long long>(o.steps), median,
      static_cast<double>(o.batch * o.seq) / median);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"jpqd training-step throughput"};
  app.add_option("--model", o.model, "Named shape of the student")->capture_default_str();
  app.add_option("--teacher", o.teacher, "Named shape of a teacher (distillation)");
  app.add_option("--config", o.config, "NNCF-format compression config");
  app.add_option("--batch", o.batch)->capture_default_str();
  app.add_option("--seq", o.seq)->capture_default_str();
  app.add_option("--steps", o.steps, "Timed steps")->capture_default_str();
  app.add_option("--warmup", o.warmup, "Untimed steps first")->capture_default_str();
  app.add_option("--threads", o.threads, "Intra-op threads (default: all cores)");
  app.add_option("--seed", o.seed)->capture_default_str();
  app.add_flag("--bf16", o.bf16, "bfloat16 autocast of the forward (needs AVX512-BF16)");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_step_bench: error: %s\n", e.what());
    return 1;
  }
}
