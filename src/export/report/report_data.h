// The numbers of a compression report, gathered from a run's output directory.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/json_util.h"

namespace jpqd::exporter {

struct SparsityPoint {
  int64_t step = 0;
  double linear_layer_sparsity = 0;
  double model_sparsity = 0;
};

struct LayerRow {
  int64_t layer = 0;
  int64_t parameters_before = 0, parameters_after = 0;
  int64_t heads = 0, heads_kept = 0;
  int64_t neurons = 0, neurons_kept = 0;
};

struct ReportData {
  std::vector<SparsityPoint> sparsity;               // from log_history
  std::optional<int64_t> warmup_start_step, warmup_end_step;
  std::vector<LayerRow> layers;                      // from structured_sparsity.json (empty: never reached)
  int64_t fp32_checkpoint_bytes = 0;                 // model.safetensors
  std::vector<std::pair<std::string, int64_t>> exported_files;  // model.jpqd, model.onnx when present
  Json eval_metrics = Json::object();

  Json to_json() const;
};

ReportData gather_report_data(const std::string& output_dir);

}  // namespace jpqd::exporter
