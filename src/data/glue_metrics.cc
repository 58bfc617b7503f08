#include "data/glue_metrics.h"

#include <cmath>

#include "common/error.h"
#include "data/glue_tasks.h"
#include "data/metrics.h"

namespace jpqd::data {

namespace {

std::vector<int64_t> to_ids(const std::vector<double>& values, const char* what) {
  std::vector<int64_t> ids;
  ids.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    JPQD_CHECK(std::isfinite(values[i]) && values[i] == std::floor(values[i]), InvalidArgument, "GLUE metrics: ", what,
               " ", i, " is ", values[i], ", not a class id");
    ids.push_back(static_cast<int64_t>(values[i]));
  }
  return ids;
}

}  // namespace

Json compute_glue_metrics(const std::string& task_name, const std::vector<double>& predictions,
                          const std::vector<double>& references) {
  const GlueTask& task = glue_task(task_name);
  Json result = Json::object();
  if (task.is_regression) {
    result["pearson"] = pearson(predictions, references);
    result["spearmanr"] = spearman(predictions, references);
  } else {
    const auto p = to_ids(predictions, "prediction");
    const auto r = to_ids(references, "reference");
    for (const auto& metric : task.metrics) {
      if (metric == "accuracy") result[metric] = accuracy(p, r);
      if (metric == "f1") result[metric] = f1_binary(p, r);
      if (metric == "matthews_correlation") result[metric] = matthews_correlation(p, r);
    }
  }
  if (result.size() > 1) {
    double sum = 0;
    for (const auto& item : result.items()) sum += item.value().get<double>();
    result["combined_score"] = sum / static_cast<double>(result.size());
  }
  return result;
}

Json compute_custom_metrics(bool is_regression, const std::vector<double>& predictions,
                            const std::vector<double>& references) {
  Json result = Json::object();
  if (is_regression)
    result["mse"] = mean_squared_error(predictions, references);
  else
    result["accuracy"] = accuracy(to_ids(predictions, "prediction"), to_ids(references, "reference"));
  return result;
}

}  // namespace jpqd::data
