// The compression report of a training output directory (`jpqd report`, also written at the end of
// training): compression rate, sparsity over training with the warm-up and structured-masking stages
// marked, parameters per layer before and after pruning, attention heads kept and pruned per layer.
// Figures are PNGs drawn by gnuplot; report.md shows them with the numbers.
#pragma once

#include <string>

#include "common/json_util.h"

namespace jpqd::exporter {

struct ReportOptions {
  std::string output_dir;  // the training run's --output_dir
  std::string report_dir;  // default: <output_dir>/report
  std::string gnuplot = "gnuplot";
};

// Reads trainer_state.json, compression_config.json, structured_sparsity.json and the model files of the
// run; writes report.md, report.json and the PNGs. Returns report.json's content.
Json write_compression_report(const ReportOptions& options);

}  // namespace jpqd::exporter
