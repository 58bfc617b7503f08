// GLUE readers on the shipped files. Expected counts come from data/README.md (checked
// there against the official GLUE counts), first rows from looking at the files by hand.
#include "data/glue_reader.h"

#include <gtest/gtest.h>

#include <map>

#include "test_util.h"

namespace jpqd::data {
namespace {

using testing::error_of;
using testing::glue_dir;
using testing::make_temp_dir;
using testing::write_file;

std::map<std::string, int64_t> label_counts(const std::vector<Example>& examples) {
  std::map<std::string, int64_t> counts;
  for (const auto& ex : examples) counts[ex.label.value_or("<none>")]++;
  return counts;
}

TEST(GlueReader, Sst2TrainAndDev) {
  const GlueTask& task = glue_task("sst2");
  const auto train = read_glue_split(task, glue_dir("SST-2"), "train");
  ASSERT_EQ(train.size(), 67349u);
  EXPECT_EQ(label_counts(train), (std::map<std::string, int64_t>{{"0", 29780}, {"1", 37569}}));
  // The header is line 1; GLUE keeps the space before the tab.
  EXPECT_EQ(train[0].text_a, "hide new secretions from the parental units ");
  EXPECT_EQ(train[0].line, 2);
  EXPECT_FALSE(train[0].text_b.has_value());

  const auto dev = read_glue_split(task, glue_dir("SST-2"), "validation");
  ASSERT_EQ(dev.size(), 872u);
  EXPECT_EQ(label_counts(dev), (std::map<std::string, int64_t>{{"0", 428}, {"1", 444}}));
  EXPECT_EQ(dev[0].text_a, "it 's a charming and often affecting journey . ");
  EXPECT_EQ(*dev[0].label, "1");
}

TEST(GlueReader, MrpcStripsBomAndIgnoresQuotes) {
  const GlueTask& task = glue_task("mrpc");
  const auto train = read_glue_split(task, glue_dir("MRPC"), "train");
  ASSERT_EQ(train.size(), 3668u);
  EXPECT_EQ(label_counts(train), (std::map<std::string, int64_t>{{"0", 1194}, {"1", 2474}}));
  const auto dev = read_glue_split(task, glue_dir("MRPC"), "validation");
  ASSERT_EQ(dev.size(), 408u);
  EXPECT_EQ(label_counts(dev), (std::map<std::string, int64_t>{{"0", 129}, {"1", 279}}));
  EXPECT_EQ(dev[0].text_a, "He said the foodservice pie business doesn't fit the company's long-term growth strategy.");
  // An unbalanced '"' stays text: a CSV reader would swallow the following lines.
  EXPECT_EQ(*dev[0].text_b, "\"The foodservice pie business does not fit our long-term growth strategy.");
}

TEST(GlueReader, ColaHasNoHeader) {
  const GlueTask& task = glue_task("cola");
  const auto train = read_glue_split(task, glue_dir("CoLA"), "train");
  ASSERT_EQ(train.size(), 8551u);
  EXPECT_EQ(label_counts(train), (std::map<std::string, int64_t>{{"0", 2528}, {"1", 6023}}));
  EXPECT_EQ(train[0].line, 1);
  EXPECT_EQ(train[0].text_a, "Our friends won't buy this analysis, let alone the next one we propose.");
  const auto dev = read_glue_split(task, glue_dir("CoLA"), "validation");
  ASSERT_EQ(dev.size(), 1043u);  // the last row has no final newline
  EXPECT_EQ(label_counts(dev), (std::map<std::string, int64_t>{{"0", 322}, {"1", 721}}));
  EXPECT_EQ(dev.back().text_a, "John talked to Bill about himself.");
}

TEST(GlueReader, StsbFloatScores) {
  const GlueTask& task = glue_task("stsb");
  const auto train = read_glue_split(task, glue_dir("STS-B"), "train");
  ASSERT_EQ(train.size(), 5749u);
  EXPECT_EQ(train[0].text_a, "A plane is taking off.");
  EXPECT_EQ(*train[0].text_b, "An air plane is taking off.");
  EXPECT_FLOAT_EQ(*train[0].score, 5.0f);
  const auto dev = read_glue_split(task, glue_dir("STS-B"), "validation");
  ASSERT_EQ(dev.size(), 1500u);
  EXPECT_FLOAT_EQ(*dev[1].score, 4.75f);  // "A young child is riding a horse." row, score 4.750
  for (const auto& ex : dev) {
    ASSERT_TRUE(ex.score.has_value());
    EXPECT_FALSE(ex.label.has_value());
    EXPECT_GE(*ex.score, 0.0f);
    EXPECT_LE(*ex.score, 5.0f);
  }
}

// Layouts of the tasks whose data is not shipped, on small files written in their GLUE layout.
TEST(GlueReader, MnliMatchedAndMismatchedFiles) {
  const std::string dir = make_temp_dir();
  const std::string header =
      "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\t"
      "sentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label\n";
  write_file(dir, "dev_matched.tsv", header + "0\t1\t1e\tgov\tb\tb\tp\tp\tThe cat sat.\tA cat sat.\tentailment\tentailment\n");
  write_file(dir, "dev_mismatched.tsv", header + "0\t1\t1n\tfic\tb\tb\tp\tp\tHe ran.\tHe was late.\tneutral\tneutral\n" +
                                            "1\t2\t2c\tfic\tb\tb\tp\tp\tHe ran.\tHe sat.\tcontradiction\tcontradiction\n");
  const GlueTask& task = glue_task("mnli");
  const auto matched = read_glue_split(task, dir, "validation_matched");
  ASSERT_EQ(matched.size(), 1u);
  EXPECT_EQ(matched[0].text_a, "The cat sat.");
  EXPECT_EQ(*matched[0].text_b, "A cat sat.");
  EXPECT_EQ(*matched[0].label, "entailment");
  const auto mismatched = read_glue_split(task, dir, "validation_mismatched");
  ASSERT_EQ(mismatched.size(), 2u);
  EXPECT_EQ(*mismatched[1].label, "contradiction");
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { read_glue_split(task, dir, "validation"); }), "validation_matched");
}

TEST(GlueReader, QnliRteWnliQqpLayouts) {
  const std::string dir = make_temp_dir();
  write_file(dir, "dev.tsv", "index\tquestion\tsentence\tlabel\n0\tWho?\tHe did.\tnot_entailment\n");
  auto qnli = read_glue_file(glue_task("qnli"), dir + "/dev.tsv", true);
  EXPECT_EQ(qnli[0].text_a, "Who?");
  EXPECT_EQ(*qnli[0].label, "not_entailment");
  write_file(dir, "rte.tsv", "index\tsentence1\tsentence2\tlabel\n0\tA b.\tC d.\tentailment\n");
  EXPECT_EQ(*read_glue_file(glue_task("rte"), dir + "/rte.tsv", true)[0].text_b, "C d.");
  write_file(dir, "wnli.tsv", "index\tsentence1\tsentence2\tlabel\n0\tA b.\tC d.\t1\n");
  EXPECT_EQ(*read_glue_file(glue_task("wnli"), dir + "/wnli.tsv", true)[0].label, "1");
  write_file(dir, "qqp.tsv", "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n7\t1\t2\tWhy?\tHow?\t0\n");
  auto qqp = read_glue_file(glue_task("qqp"), dir + "/qqp.tsv", true);
  EXPECT_EQ(qqp[0].text_a, "Why?");
  EXPECT_EQ(*qqp[0].text_b, "How?");
  // A test file: no label column, unlabeled examples.
  write_file(dir, "test.tsv", "index\tsentence\n0\tnice film\n");
  auto test = read_glue_split(glue_task("sst2"), dir, "test");
  ASSERT_EQ(test.size(), 1u);
  EXPECT_FALSE(test[0].has_target());
}

TEST(GlueReader, ErrorsNameFileLineAndValue) {
  const std::string dir = make_temp_dir();
  const GlueTask& sst2 = glue_task("sst2");
  // Missing file.
  std::string m = error_of<IoError>([&] { read_glue_split(sst2, dir + "/nowhere", "train"); });
  EXPECT_CONTAINS(m, dir + "/nowhere/train.tsv");
  // Label outside the label set.
  const std::string bad_label = write_file(dir, "bad_label.tsv", "sentence\tlabel\ngood\t1\nbad\t2\n");
  m = error_of<FormatError>([&] { read_glue_file(sst2, bad_label, true); });
  EXPECT_CONTAINS(m, bad_label + ":3:");
  EXPECT_CONTAINS(m, "\"2\"");
  EXPECT_CONTAINS(m, "labels: 0, 1");
  // Wrong column count.
  const std::string bad_cols = write_file(dir, "bad_cols.tsv", "sentence\tlabel\ngood\t1\textra\n");
  m = error_of<FormatError>([&] { read_glue_file(sst2, bad_cols, true); });
  EXPECT_CONTAINS(m, bad_cols + ":2:");
  EXPECT_CONTAINS(m, "expected 2");
  EXPECT_CONTAINS(m, "found 3");
  const std::string bad_cola = write_file(dir, "cola.tsv", "gj04\t1\t\tFine.\ngj04\t1\tOops.\n");
  m = error_of<FormatError>([&] { read_glue_file(glue_task("cola"), bad_cola, true); });
  EXPECT_CONTAINS(m, bad_cola + ":2:");
  // Empty dataset: a header alone, and an empty file.
  const std::string header_only = write_file(dir, "header_only.tsv", "sentence\tlabel\n");
  EXPECT_CONTAINS(error_of<FormatError>([&] { read_glue_file(sst2, header_only, true); }), "empty dataset");
  const std::string empty = write_file(dir, "empty.tsv", "");
  EXPECT_CONTAINS(error_of<FormatError>([&] { read_glue_file(sst2, empty, true); }), empty);
  // A non-number STS-B score.
  const std::string stsb = write_file(
      dir, "stsb.tsv",
      "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
      "0\tg\tf\ty\t0\tn\tn\tA.\tB.\t4.5\n1\tg\tf\ty\t1\tn\tn\tA.\tB.\tfive\n");
  m = error_of<FormatError>([&] { read_glue_file(glue_task("stsb"), stsb, true); });
  EXPECT_CONTAINS(m, stsb + ":3:");
  EXPECT_CONTAINS(m, "\"five\"");
  // A score that is a double but not a float (found by fuzz/glue_fuzzer.cc): it used to become inf.
  const std::string huge = write_file(
      dir, "stsb_huge.tsv",
      "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
      "0\tg\tf\ty\t0\tn\tn\tA.\tB.\t7" + std::string(60, '7') + ".000\n");
  m = error_of<FormatError>([&] { read_glue_file(glue_task("stsb"), huge, true); });
  EXPECT_CONTAINS(m, huge + ":2:");
  EXPECT_CONTAINS(m, "not a number in float range");
  // A file of another task: the header lacks the expected column.
  m = error_of<FormatError>([&] { read_glue_file(glue_task("mrpc"), header_only, true); });
  EXPECT_CONTAINS(m, "#1 String");
}

}  // namespace
}  // namespace jpqd::data
