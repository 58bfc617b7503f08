// run_glue's --train_file/--validation_file on small files written here; expected values are read
// off the file contents by hand.
#include "data/custom_files.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace jpqd::data {
namespace {

using testing::error_of;
using testing::make_temp_dir;
using testing::write_file;

TEST(CustomFiles, CsvWithRfc4180Quoting) {
  const std::string dir = make_temp_dir();
  const std::string train = write_file(dir, "train.csv",
                                       "sentence1,sentence2,label\r\n"
                                       "\"He said \"\"hi\"\", then left\",Bye,1\r\n"
                                       "plain,\"multi\nline\",0\r\n"
                                       "\n"
                                       "x,,1\r\n");
  const std::string dev = write_file(dir, "dev.csv", "label,sentence2,sentence1\n0,b,a\n");
  const CustomDataset data = load_custom_files({train, dev, ""});
  EXPECT_EQ(data.sentence1_key, "sentence1");
  EXPECT_EQ(*data.sentence2_key, "sentence2");
  EXPECT_FALSE(data.label_space.is_regression);
  EXPECT_EQ(data.label_space.labels, (std::vector<std::string>{"0", "1"}));
  ASSERT_EQ(data.train.size(), 3u);
  EXPECT_EQ(data.train[0].text_a, "He said \"hi\", then left");
  EXPECT_EQ(*data.train[0].text_b, "Bye");
  EXPECT_EQ(*data.train[0].label, "1");
  EXPECT_EQ(*data.train[1].text_b, "multi\nline");
  EXPECT_EQ(data.train[1].line, 3);
  EXPECT_EQ(data.train[2].line, 6);  // the record after the quoted line break and the blank line
  EXPECT_EQ(*data.train[2].text_b, "");
  // Columns are found by name, whatever their order.
  ASSERT_EQ(data.validation.size(), 1u);
  EXPECT_EQ(data.validation[0].text_a, "a");
  EXPECT_EQ(*data.validation[0].text_b, "b");
}

TEST(CustomFiles, TsvSingleSentenceWithStringLabelsSorted) {
  const std::string dir = make_temp_dir();
  const std::string train = write_file(dir, "train.tsv", "sentence\tlabel\n\"odd\" quote\tpos\nmeh\tneg\nok\tpos\n");
  const CustomDataset data = load_custom_files({train, "", ""});
  EXPECT_EQ(data.sentence1_key, "sentence");
  EXPECT_FALSE(data.sentence2_key.has_value());
  EXPECT_EQ(data.label_space.labels, (std::vector<std::string>{"neg", "pos"}));
  EXPECT_EQ(data.train[0].text_a, "\"odd\" quote");  // tsv: no quote handling
}

TEST(CustomFiles, IntegerLabelsSortNumerically) {
  const std::string dir = make_temp_dir();
  const std::string train = write_file(dir, "train.csv", "sentence,label\na,10\nb,2\nc,2\n");
  const CustomDataset data = load_custom_files({train, "", ""});
  EXPECT_EQ(data.label_space.labels, (std::vector<std::string>{"2", "10"}));  // not "10" < "2"
}

TEST(CustomFiles, FirstTwoNonLabelColumnsWithoutSentence1) {
  const std::string dir = make_temp_dir();
  const std::string train = write_file(dir, "train.csv", "question,label,passage,extra\nq,1,p,e\n");
  const CustomDataset data = load_custom_files({train, "", ""});
  EXPECT_EQ(data.sentence1_key, "question");
  EXPECT_EQ(*data.sentence2_key, "passage");
}

TEST(CustomFiles, JsonLinesRegressionAndTestFileWithoutLabels) {
  const std::string dir = make_temp_dir();
  const std::string train = write_file(dir, "train.jsonl",
                                       "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 4.5}\n"
                                       "\n"
                                       "{\"sentence1\": \"c\", \"sentence2\": \"d\", \"label\": 1}\n");
  const std::string dev = write_file(dir, "dev.json", "{\"sentence1\": \"e\", \"sentence2\": \"f\", \"label\": 3}\n");
  const std::string test = write_file(dir, "test.jsonl", "{\"sentence1\": \"g\", \"sentence2\": \"h\"}\n");
  const CustomDataset data = load_custom_files({train, dev, test});
  EXPECT_TRUE(data.label_space.is_regression);
  ASSERT_EQ(data.train.size(), 2u);
  EXPECT_FLOAT_EQ(*data.train[0].score, 4.5f);
  EXPECT_FLOAT_EQ(*data.train[1].score, 1.0f);
  EXPECT_EQ(data.train[1].line, 3);
  EXPECT_FLOAT_EQ(*data.validation[0].score, 3.0f);
  ASSERT_EQ(data.test.size(), 1u);
  EXPECT_FALSE(data.test[0].has_target());
}

TEST(CustomFiles, JsonArrayOfIntegerLabels) {
  const std::string dir = make_temp_dir();
  const std::string train =
      write_file(dir, "train.json", "[{\"sentence\": \"a\", \"label\": 1}, {\"sentence\": \"b\", \"label\": 0}]");
  const CustomDataset data = load_custom_files({train, "", ""});
  EXPECT_EQ(data.label_space.labels, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(*data.train[0].label, "1");
}

TEST(CustomFiles, Errors) {
  const std::string dir = make_temp_dir();
  const std::string train = write_file(dir, "train.csv", "sentence,label\na,0\nb,1\n");
  // Missing file.
  EXPECT_CONTAINS(error_of<IoError>([&] { load_custom_files({dir + "/missing.csv", "", ""}); }), dir + "/missing.csv");
  // Unsupported extension, and a validation file of another type.
  const std::string txt = write_file(dir, "train.txt", "x");
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { load_custom_files({txt, "", ""}); }), "csv, tsv, json or jsonl");
  const std::string tsv = write_file(dir, "dev.tsv", "sentence\tlabel\na\t0\n");
  EXPECT_CONTAINS(error_of<InvalidArgument>([&] { load_custom_files({train, tsv, ""}); }), "same type");
  // A validation label outside the train labels.
  const std::string dev = write_file(dir, "dev.csv", "sentence,label\na,0\nb,7\n");
  std::string m = error_of<FormatError>([&] { load_custom_files({train, dev, ""}); });
  EXPECT_CONTAINS(m, dev + ":3:");
  EXPECT_CONTAINS(m, "\"7\"");
  // Wrong column count.
  const std::string wide = write_file(dir, "wide.csv", "sentence,label\na,0,extra\n");
  m = error_of<FormatError>([&] { load_custom_files({wide, "", ""}); });
  EXPECT_CONTAINS(m, wide + ":2:");
  EXPECT_CONTAINS(m, "found 3");
  // Empty dataset.
  const std::string header_only = write_file(dir, "header_only.csv", "sentence,label\n");
  EXPECT_CONTAINS(error_of<FormatError>([&] { load_custom_files({header_only, "", ""}); }), "empty dataset");
  // A non-number target in a regression task.
  const std::string reg = write_file(dir, "reg.csv", "sentence,label\na,0.5\nb,1.5\n");
  const std::string reg_dev = write_file(dir, "reg_dev.csv", "sentence,label\na,high\n");
  m = error_of<FormatError>([&] { load_custom_files({reg, reg_dev, ""}); });
  EXPECT_CONTAINS(m, reg_dev + ":2:");
  EXPECT_CONTAINS(m, "not a number");
  // Broken quoting and broken JSON.
  const std::string quote = write_file(dir, "quote.csv", "sentence,label\n\"never closed,1\n");
  EXPECT_CONTAINS(error_of<FormatError>([&] { load_custom_files({quote, "", ""}); }), quote + ":2:");
  const std::string json = write_file(dir, "bad.jsonl", "{\"sentence\": \"a\", \"label\": 0}\n[1, 2]\n");
  EXPECT_CONTAINS(error_of<FormatError>([&] { load_custom_files({json, "", ""}); }), json + ":2");
  // No label column in a train file.
  const std::string nolabel = write_file(dir, "nolabel.csv", "sentence\na\n");
  EXPECT_CONTAINS(error_of<FormatError>([&] { load_custom_files({nolabel, "", ""}); }), "\"label\"");
}

}  // namespace
}  // namespace jpqd::data
