#include "training/optimizer.h"

#include <gtest/gtest.h>

namespace jpqd::training {
namespace {

TEST(LrLambda, LinearWarmupThenDecayAsTransformers) {
  // get_linear_schedule_with_warmup(warmup=2, total=10): 0, 0.5, 1, 7/8, ..., 0.
  EXPECT_DOUBLE_EQ(lr_lambda("linear", 0, 2, 10), 0.0);
  EXPECT_DOUBLE_EQ(lr_lambda("linear", 1, 2, 10), 0.5);
  EXPECT_DOUBLE_EQ(lr_lambda("linear", 2, 2, 10), 1.0);
  EXPECT_DOUBLE_EQ(lr_lambda("linear", 3, 2, 10), 7.0 / 8.0);
  EXPECT_DOUBLE_EQ(lr_lambda("linear", 10, 2, 10), 0.0);
  EXPECT_DOUBLE_EQ(lr_lambda("linear", 12, 2, 10), 0.0);
}

TEST(LrLambda, NoWarmupStartsAtFullRate) {
  EXPECT_DOUBLE_EQ(lr_lambda("linear", 0, 0, 4), 1.0);
  EXPECT_DOUBLE_EQ(lr_lambda("linear", 1, 0, 4), 0.75);
  EXPECT_DOUBLE_EQ(lr_lambda("constant", 3, 0, 4), 1.0);
  EXPECT_DOUBLE_EQ(lr_lambda("constant_with_warmup", 1, 4, 10), 0.25);
  EXPECT_DOUBLE_EQ(lr_lambda("constant_with_warmup", 7, 4, 10), 1.0);
}

TEST(WarmupSteps, RatioRoundsUpAndStepsWin) {
  TrainingArguments args;
  args.warmup_ratio = 0.1;
  EXPECT_EQ(resolve_warmup_steps(args, 95), 10);
  args.warmup_steps = 3;
  EXPECT_EQ(resolve_warmup_steps(args, 95), 3);
}

struct TinyNet : torch::nn::Module {
  TinyNet() {
    dense = register_module("dense", torch::nn::Linear(2, 2));
    norm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({2})));
  }
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};

TEST(MakeAdamw, NoDecayForBiasesAndLayerNorm) {
  TinyNet net;
  TrainingArguments args;
  args.weight_decay = 0.01;
  auto opt = make_adamw(net, args);
  ASSERT_EQ(opt->param_groups().size(), 2u);
  auto wd = [&](size_t g) {
    return static_cast<torch::optim::AdamWOptions&>(opt->param_groups()[g].options()).weight_decay();
  };
  EXPECT_DOUBLE_EQ(wd(0), 0.01);
  EXPECT_DOUBLE_EQ(wd(1), 0.0);
  ASSERT_EQ(opt->param_groups()[0].params().size(), 1u);  // dense.weight only
  EXPECT_TRUE(opt->param_groups()[0].params()[0].is_same(net.dense->weight));
  EXPECT_EQ(opt->param_groups()[1].params().size(), 3u);  // dense.bias, LayerNorm.weight, LayerNorm.bias
}

TEST(MakeAdamw, LearningRateIsSetOnEveryGroup) {
  TinyNet net;
  TrainingArguments args;
  auto opt = make_adamw(net, args);
  set_learning_rate(*opt, 0.125);
  for (auto& g : opt->param_groups())
    EXPECT_DOUBLE_EQ(static_cast<torch::optim::AdamWOptions&>(g.options()).lr(), 0.125);
  EXPECT_DOUBLE_EQ(get_learning_rate(*opt), 0.125);
}

}  // namespace
}  // namespace jpqd::training
