#include "data/glue_tasks.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace jpqd::data {
namespace {

TEST(GlueTasks, AllNineTasksWithRunGlueColumns) {
  ASSERT_EQ(glue_tasks().size(), 9u);
  // run_glue.py's task_to_keys.
  EXPECT_EQ(glue_task("cola").sentence1_key, "sentence");
  EXPECT_FALSE(glue_task("cola").sentence2_key.has_value());
  EXPECT_FALSE(glue_task("sst2").sentence2_key.has_value());
  EXPECT_EQ(glue_task("mnli").sentence1_key, "premise");
  EXPECT_EQ(*glue_task("mnli").sentence2_key, "hypothesis");
  EXPECT_EQ(glue_task("qnli").sentence1_key, "question");
  EXPECT_EQ(*glue_task("qnli").sentence2_key, "sentence");
  EXPECT_EQ(glue_task("qqp").sentence1_key, "question1");
  for (const char* t : {"mrpc", "rte", "stsb", "wnli"}) {
    EXPECT_EQ(glue_task(t).sentence1_key, "sentence1") << t;
    EXPECT_EQ(*glue_task(t).sentence2_key, "sentence2") << t;
  }
}

TEST(GlueTasks, LabelsInHfDatasetsOrder) {
  const GlueTask& mnli = glue_task("mnli");
  EXPECT_EQ(mnli.labels, (std::vector<std::string>{"entailment", "neutral", "contradiction"}));
  EXPECT_EQ(mnli.num_labels(), 3);
  EXPECT_EQ(glue_task("sst2").label_names, (std::vector<std::string>{"negative", "positive"}));
  EXPECT_EQ(glue_task("wnli").label_names, (std::vector<std::string>{"not_entailment", "entailment"}));
  EXPECT_EQ(glue_task("rte").labels, (std::vector<std::string>{"entailment", "not_entailment"}));
  EXPECT_TRUE(glue_task("stsb").is_regression);
  EXPECT_EQ(glue_task("stsb").num_labels(), 1);
  EXPECT_FALSE(glue_task("cola").is_regression);
}

TEST(GlueTasks, MetricsAndSplits) {
  EXPECT_EQ(glue_task("cola").metrics, (std::vector<std::string>{"matthews_correlation"}));
  EXPECT_EQ(glue_task("stsb").metrics, (std::vector<std::string>{"pearson", "spearmanr"}));
  EXPECT_EQ(glue_task("mrpc").metrics, (std::vector<std::string>{"accuracy", "f1"}));
  EXPECT_EQ(glue_task("qqp").metrics, (std::vector<std::string>{"accuracy", "f1"}));
  EXPECT_EQ(glue_task("qnli").metrics, (std::vector<std::string>{"accuracy"}));
  const auto& mnli = glue_task("mnli").eval_splits;
  ASSERT_EQ(mnli.size(), 2u);
  EXPECT_EQ(mnli[0].name, "validation_matched");
  EXPECT_EQ(mnli[0].file, "dev_matched.tsv");
  EXPECT_EQ(mnli[1].name, "validation_mismatched");
  EXPECT_EQ(mnli[1].metric_suffix, "_mm");
}

TEST(GlueTasks, LookupIsCaseInsensitiveAndUnknownListsKnown) {
  EXPECT_EQ(glue_task("SST2").name, "sst2");
  const std::string message = testing::error_of<InvalidArgument>([] { glue_task("sst-5"); });
  EXPECT_CONTAINS(message, "sst-5");
  EXPECT_CONTAINS(message, "cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli");
}

}  // namespace
}  // namespace jpqd::data
