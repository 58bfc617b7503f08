#include "export/report/compression_report.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "common/error.h"
#include "common/file_io.h"
#include "common/logging.h"
#include "export/report/report_data.h"

namespace jpqd::exporter {

namespace fs = std::filesystem;

namespace {

// A gnuplot single-quoted string: backslashes are literal, a quote is doubled.
std::string gnuplot_string(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// A POSIX shell single-quoted word.
std::string shell_word(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs one gnuplot script; the data it plots is inlined as `$data << EOD` blocks, so a figure is one file.
// The PNG is drawn under a temporary name and renamed only once gnuplot succeeded, so a failed or killed
// report never leaves a truncated figure under its final name.
void run_gnuplot(const ReportOptions& options, const fs::path& png, const std::string& script) {
  fs::path script_path = png;
  script_path.replace_extension(".gp");
  write_file_atomically(script_path.string(), script);
  AtomicFile image(png.string());
  const std::string command = shell_word(options.gnuplot) + " -e " +
                              shell_word("outfile = " + gnuplot_string(image.temp_path())) + " " +
                              shell_word(script_path.string()) + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  JPQD_CHECK(pipe != nullptr, IoError, "report: cannot run ", options.gnuplot);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof(buffer), pipe)) output += buffer;
  const int status = ::pclose(pipe);
  JPQD_CHECK(status == 0, IoError, "report: ", options.gnuplot, " failed on ", script_path.string(),
             " (is gnuplot installed? scripts/setup.sh installs gnuplot-nox): ", output);
  std::error_code ec;
  const auto bytes = fs::file_size(image.temp_path(), ec);
  JPQD_CHECK(!ec && bytes > 0, IoError, "report: ", options.gnuplot, " drew nothing for ",
             png.string(), ": ", output);
  image.commit();
}

// jpqd sets `outfile` to a temporary name; run by hand, the script draws the PNG under its final name.
std::string header(const fs::path& png, const std::string& title, int width = 900, int height = 500) {
  std::ostringstream s;
  s << "set terminal pngcairo size " << width << "," << height << " font 'Sans,11'\n"
    << "if (!exists('outfile')) outfile = " << gnuplot_string(png.string()) << "\n"
    << "set output outfile\n"
    << "set title " << gnuplot_string(title) << "\n"
    << "set grid ytics\nset key outside right top\n";
  return s.str();
}

void plot_sparsity(const ReportOptions& o, const fs::path& dir, const ReportData& d) {
  std::ostringstream s;
  s << header(dir / "sparsity.png", "Sparsity over training (movement sparsity)");
  s << "$data << EOD\n";
  for (const auto& p : d.sparsity) s << p.step << " " << p.linear_layer_sparsity << " " << p.model_sparsity << "\n";
  s << "EOD\n";
  s << "set xlabel 'optimizer step'\nset ylabel 'sparsity'\nset yrange [0:1]\n";
  if (d.warmup_start_step) {
    s << "set object 1 rect from " << *d.warmup_start_step << ", graph 0 to " << *d.warmup_end_step
      << ", graph 1 fc rgb '#fff2cc' fs solid 1.0 noborder behind\n"
      << "set label 1 'warm-up' at " << *d.warmup_start_step << ", graph 0.95 offset 0.5,0\n"
      << "set arrow 1 from " << *d.warmup_end_step << ", graph 0 to " << *d.warmup_end_step
      << ", graph 1 nohead lw 2 lc rgb '#cc0000'\n"
      << "set label 2 'structured masking' at " << *d.warmup_end_step << ", graph 0.5 offset 0.5,0 tc rgb '#cc0000'\n";
  }
  s << "plot $data using 1:2 with linespoints pt 7 ps 0.5 title 'linear layers', "
       "$data using 1:3 with linespoints pt 7 ps 0.5 title 'whole model'\n";
  run_gnuplot(o, dir / "sparsity.png", s.str());
}

void plot_layers(const ReportOptions& o, const fs::path& dir, const ReportData& d) {
  std::ostringstream p;
  p << header(dir / "parameters_per_layer.png", "Encoder parameters per layer (attention + FFN linears)");
  p << "$data << EOD\n";
  for (const auto& l : d.layers) p << l.layer << " " << l.parameters_before << " " << l.parameters_after << "\n";
  p << "EOD\n"
    << "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
    << "set xlabel 'encoder layer'\nset ylabel 'parameters'\nset yrange [0:*]\nset format y '%.2s%c'\n"
    << "plot $data using 2:xtic(1) title 'before', '' using 3 title 'after pruning'\n";
  run_gnuplot(o, dir / "parameters_per_layer.png", p.str());

  std::ostringstream h;
  h << header(dir / "heads_per_layer.png", "Attention heads kept and pruned per layer");
  h << "$data << EOD\n";
  for (const auto& l : d.layers) h << l.layer << " " << l.heads_kept << " " << (l.heads - l.heads_kept) << "\n";
  h << "EOD\n";
  // Heads are whole: gnuplot's automatic ticks put 0.5, 1.5 on a two-head model.
  int64_t most_heads = 0;
  for (const auto& l : d.layers) most_heads = std::max(most_heads, l.heads);
  if (most_heads <= 16) h << "set ytics 1\n";
  h << "set style data histograms\nset style histogram rowstacked\nset style fill solid 0.85 border -1\n"
    << "set boxwidth 0.7\nset xlabel 'encoder layer'\nset ylabel 'heads'\nset yrange [0:*]\n"
    << "plot $data using 2:xtic(1) title 'kept' lc rgb '#2e7d32', '' using 3 title 'pruned' lc rgb '#bdbdbd'\n";
  run_gnuplot(o, dir / "heads_per_layer.png", h.str());
}

std::string markdown(const ReportData& d, const Json& summary) {
  std::ostringstream m;
  m << "# Compression report\n\n## Size\n\n| file | bytes | compression vs FP32 checkpoint |\n|---|---:|---:|\n";
  m << "| model.safetensors (FP32) | " << d.fp32_checkpoint_bytes << " | 1.00x |\n";
  for (const auto& [name, bytes] : d.exported_files) {
    char rate[32];
    std::snprintf(rate, sizeof(rate), "%.2fx",
                  bytes > 0 ? static_cast<double>(d.fp32_checkpoint_bytes) / static_cast<double>(bytes) : 0.0);
    m << "| " << name << " | " << bytes << " | " << rate << " |\n";
  }
  if (d.exported_files.empty()) m << "\nNo exported model (model.jpqd / model.onnx) in the directory yet.\n";
  if (!d.eval_metrics.empty()) m << "\nEvaluation: `" << d.eval_metrics.dump() << "`\n";
  if (!d.sparsity.empty()) {
    char line[160];
    std::snprintf(line, sizeof(line), "\n## Sparsity over training\n\nFinal linear-layer sparsity %.4f, model sparsity %.4f.\n\n",
                  d.sparsity.back().linear_layer_sparsity, d.sparsity.back().model_sparsity);
    m << line << "![sparsity](sparsity.png)\n";
  }
  if (!d.layers.empty()) {
    m << "\n## Structured pruning per layer\n\n![parameters per layer](parameters_per_layer.png)\n\n"
      << "![heads per layer](heads_per_layer.png)\n\n"
      << "| layer | heads kept | FFN neurons kept | parameters before | parameters after |\n|---:|---:|---:|---:|---:|\n";
    for (const auto& l : d.layers)
      m << "| " << l.layer << " | " << l.heads_kept << " / " << l.heads << " | " << l.neurons_kept << " / " << l.neurons
        << " | " << l.parameters_before << " | " << l.parameters_after << " |\n";
    m << "| total | | | " << summary["encoder_linear_parameters_before"].get<int64_t>() << " | "
      << summary["encoder_linear_parameters_after"].get<int64_t>() << " |\n";
  } else {
    m << "\nThe run did not reach structured masking (end of warm-up): no heads or neurons were removed.\n";
  }
  return m.str();
}

}  // namespace

Json write_compression_report(const ReportOptions& options) {
  const ReportData data = gather_report_data(options.output_dir);
  const fs::path dir = options.report_dir.empty() ? fs::path(options.output_dir) / "report" : fs::path(options.report_dir);
  ensure_writable_directory(dir.string());
  if (!data.sparsity.empty()) plot_sparsity(options, dir, data);
  if (!data.layers.empty()) plot_layers(options, dir, data);
  const Json summary = data.to_json();
  write_file_atomically((dir / "report.json").string(), summary.dump(2) + "\n");
  write_file_atomically((dir / "report.md").string(), markdown(data, summary));
  log_info("Compression report written to ", (dir / "report.md").string());
  return summary;
}

}  // namespace jpqd::exporter
