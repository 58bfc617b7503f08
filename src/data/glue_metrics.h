// GLUE metrics as run_glue.py reports them: evaluate.load("glue", task) keys, plus
// "combined_score" (the mean) when a task has more than one metric.
#pragma once

#include <string>
#include <vector>

#include "common/json_util.h"

namespace jpqd::data {

// `predictions`: argmax class ids (classification) or the regression output (stsb);
// `references`: label ids or scores. Class ids must be whole numbers. Returns e.g.
// {"accuracy": 0.9, "f1": 0.8, "combined_score": 0.85}. For mnli call it once per evaluation split
// and append the split's metric_suffix ("_mm") to the keys, as run_glue does.
Json compute_glue_metrics(const std::string& task, const std::vector<double>& predictions,
                          const std::vector<double>& references);

// run_glue without --task_name: {"mse": ...} for regression, {"accuracy": ...} otherwise.
Json compute_custom_metrics(bool is_regression, const std::vector<double>& predictions,
                            const std::vector<double>& references);

}  // namespace jpqd::data
