#include "data/glue_tasks.h"

#include <algorithm>
#include <cctype>

#include "common/error.h"

namespace jpqd::data {

namespace {

const std::vector<GlueSplit> kValidation = {{"validation", "dev.tsv", ""}};
const std::vector<GlueSplit> kTest = {{"test", "test.tsv", ""}};
const std::vector<std::string> kBinary = {"0", "1"};

std::vector<GlueTask> make_tasks() {
  std::vector<GlueTask> t;
  t.push_back({"cola", "CoLA", "sentence", std::nullopt, false, kBinary, {"unacceptable", "acceptable"},
               {"matthews_correlation"}, kValidation, kTest});
  t.push_back({"sst2", "SST-2", "sentence", std::nullopt, false, kBinary, {"negative", "positive"}, {"accuracy"},
               kValidation, kTest});
  t.push_back({"mrpc", "MRPC", "sentence1", "sentence2", false, kBinary, {"not_equivalent", "equivalent"},
               {"accuracy", "f1"}, kValidation, kTest});
  t.push_back({"qqp", "QQP", "question1", "question2", false, kBinary, {"not_duplicate", "duplicate"},
               {"accuracy", "f1"}, kValidation, kTest});
  t.push_back({"stsb", "STS-B", "sentence1", "sentence2", true, {}, {}, {"pearson", "spearmanr"}, kValidation, kTest});
  // The GLUE TSVs spell MNLI labels out; their id order is HF datasets' (entailment first), not the
  // alphabetical order of transformers' legacy MnliProcessor.
  t.push_back({"mnli", "MNLI", "premise", "hypothesis", false, {"entailment", "neutral", "contradiction"},
               {"entailment", "neutral", "contradiction"}, {"accuracy"},
               {{"validation_matched", "dev_matched.tsv", ""}, {"validation_mismatched", "dev_mismatched.tsv", "_mm"}},
               {{"test_matched", "test_matched.tsv", ""}, {"test_mismatched", "test_mismatched.tsv", "_mm"}}});
  t.push_back({"qnli", "QNLI", "question", "sentence", false, {"entailment", "not_entailment"},
               {"entailment", "not_entailment"}, {"accuracy"}, kValidation, kTest});
  t.push_back({"rte", "RTE", "sentence1", "sentence2", false, {"entailment", "not_entailment"},
               {"entailment", "not_entailment"}, {"accuracy"}, kValidation, kTest});
  t.push_back({"wnli", "WNLI", "sentence1", "sentence2", false, kBinary, {"not_entailment", "entailment"},
               {"accuracy"}, kValidation, kTest});
  return t;
}

}  // namespace

const std::vector<GlueTask>& glue_tasks() {
  static const std::vector<GlueTask> tasks = make_tasks();
  return tasks;
}

std::string known_glue_tasks() {
  std::string names;
  for (const auto& task : glue_tasks()) names += (names.empty() ? "" : ", ") + task.name;
  return names;
}

const GlueTask& glue_task(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const auto& task : glue_tasks())
    if (task.name == lower) return task;
  throw InvalidArgument(str_cat("unknown GLUE task \"", name, "\" (known tasks: ", known_glue_tasks(), ")"));
}

}  // namespace jpqd::data
