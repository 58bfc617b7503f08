// The nine GLUE tasks as transformers' run_glue.py and the GLUE data see them: input columns
// (run_glue's task_to_keys), label values in label-id order (HF datasets' ClassLabel order, which is
// what a checkpoint fine-tuned by run_glue has in its id2label), and the metrics evaluate's "glue"
// metric reports.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace jpqd::data {

// One evaluation split: HF datasets' split name, the file of the original GLUE layout, and the
// suffix run_glue appends to metric names (mnli's mismatched split reports eval_accuracy_mm).
struct GlueSplit {
  std::string name;           // "validation", "validation_matched", ...
  std::string file;           // "dev.tsv", "dev_matched.tsv", ...
  std::string metric_suffix;  // "" or "_mm"
};

struct GlueTask {
  std::string name;       // run_glue's --task_name: "cola", "sst2", ...
  std::string glue_dir;   // folder name of the GLUE download: "CoLA", "SST-2", ...
  std::string sentence1_key;
  std::optional<std::string> sentence2_key;
  bool is_regression = false;
  // Label values as the GLUE TSVs write them, index = label id ("0"/"1", or "entailment", ...).
  std::vector<std::string> labels;
  // HF datasets' names for the same ids (for config.json's id2label): "negative", "positive", ...
  std::vector<std::string> label_names;
  // Metric keys, as evaluate.load("glue", task) returns them.
  std::vector<std::string> metrics;
  std::vector<GlueSplit> eval_splits;  // mnli: matched and mismatched
  std::vector<GlueSplit> test_splits;

  int64_t num_labels() const { return is_regression ? 1 : static_cast<int64_t>(labels.size()); }
};

// Case-insensitive lookup ("SST2" works, as run_glue lower-cases); InvalidArgument listing the known
// tasks otherwise.
const GlueTask& glue_task(const std::string& name);
const std::vector<GlueTask>& glue_tasks();
std::string known_glue_tasks();  // "cola, sst2, ..." for messages

}  // namespace jpqd::data
