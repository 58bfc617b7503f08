// format::write_random_bert produces files the runtime loads and runs (benchmarks depend on it), and
// thread plans follow the performance hints.
#include <gtest/gtest.h>

#include <cmath>

#include "format/random_bert.h"
#include "jpqd/runtime.h"
#include "scratch_dir.h"

namespace jpqd::runtime {
namespace {

TEST(RandomBert, PrunedInt8AndFp32FilesLoadAndRun) {
  for (bool int8 : {false, true}) {
    format::RandomBertOptions o;
    o.hidden_size = 64, o.num_layers = 3, o.num_heads = 4, o.intermediate_size = 128, o.vocab_size = 100;
    o.max_position_embeddings = 32, o.heads_per_layer = {4, 0, 2}, o.ffn_per_layer = {128, 64, 0};
    o.int8 = int8;
    o.task = int8 ? format::TaskType::kQuestionAnswering : format::TaskType::kSequenceClassification;
    const std::string path = scratch_path("random_bert_test.jpqd");
    format::write_random_bert(path, o);
    Model model = Model::load(path);
    EXPECT_EQ(model.info().int8, int8);
    EXPECT_EQ(model.info().heads_per_layer, (std::vector<int64_t>{4, 0, 2}));
    std::vector<int64_t> ids(2 * 32);
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i % 100);
    const Logits out = model.run(ids, {}, {}, 2, 32);
    const auto& values = int8 ? out.start_logits : out.logits;
    ASSERT_EQ(values.size(), int8 ? 64u : 4u);
    for (float v : values) EXPECT_TRUE(std::isfinite(v));
  }
}

TEST(ThreadPlan, FollowsTheHints) {
  EXPECT_EQ(plan_threads(PerformanceHint::kLatency, 4).streams, 1);
  EXPECT_EQ(plan_threads(PerformanceHint::kLatency, 4).threads_per_stream, 4);
  EXPECT_EQ(plan_threads(PerformanceHint::kThroughput, 4).streams, 4);
  EXPECT_EQ(plan_threads(PerformanceHint::kThroughput, 4).threads_per_stream, 1);
  EXPECT_EQ(plan_threads(PerformanceHint::kThroughput, 4, 2).threads_per_stream, 2);
  EXPECT_EQ(plan_threads(PerformanceHint::kThroughput, 1, 3).threads_per_stream, 1);
  EXPECT_GE(plan_threads(PerformanceHint::kLatency).threads_per_stream, 1);
}

}  // namespace
}  // namespace jpqd::runtime
