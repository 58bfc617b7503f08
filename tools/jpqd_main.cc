// jpqd: one binary, one subcommand per stage (`jpqd glue`, `jpqd export`, `jpqd benchmark`, ...).
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands/command.h"
#include "common/error.h"

namespace {

// benchmark_app spells its long options with one dash (-hint, -nstreams, -niter); CLI11 reads
// "-hint" as the short flags -h -i -n -t, so such options are rewritten to their two-dash form.
std::vector<std::string> normalise_single_dash_options(int argc, char** argv) {
  static const char* kLongSingleDash[] = {"-hint", "-nstreams", "-niter", "-nireq", "-shape", "-api",
                                          "-report_type", "-report_folder", "-json_stats"};
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    for (const char* opt : kLongSingleDash)
      if (a == opt || a.rfind(std::string(opt) + "=", 0) == 0) a = "-" + a;
    args.push_back(a);
  }
  return args;
}

// The runtime registers only what exists in this build.
void register_all(CLI::App& app) {
  using namespace jpqd::cli;
#ifdef JPQD_WITH_TRAINING
  register_glue_command(app);
  register_qa_command(app);
  register_pretrain_command(app);
  register_predict_command(app);
  register_export_command(app);
  register_report_command(app);
  register_quantizers_command(app);
  register_quantize_command(app);
  register_convert_command(app);
  register_launch_command(app);
#endif
  register_eval_command(app);
  register_benchmark_command(app);
  register_inspect_command(app);
  register_tokenize_command(app);
}

// Training runs LibTorch's OpenMP pool next to OpenBLAS's own pthread pool; both spin between calls and on a
// small machine they fight for the same cores: OMP_WAIT_POLICY=PASSIVE with a one-thread OpenBLAS made a
// training step 2-4x faster (docs/RESULTS.md). Both libraries read these variables when they load, before
// main(), so a training command re-executes itself once with them set. A user's own values are kept.
// `launch` is not one: it computes nothing, and each rank it starts (`jpqd glue ...`) settles its own.
bool is_training_command(int argc, char** argv) {
  static const char* kTrainingCommands[] = {"glue", "qa", "pretrain", "predict", "export", "quantizers", "quantize",
                                            "convert"};
  bool training = false;
  for (const char* c : kTrainingCommands) training = training || (argc >= 2 && std::strcmp(argv[1], c) == 0);
  return training;
}

void settle_training_threads(int argc, char** argv) {
  if (!is_training_command(argc, argv) || std::getenv("JPQD_THREADS_SETTLED") != nullptr) return;
  bool changed = false;
  for (const auto& [name, value] : {std::pair{"OMP_WAIT_POLICY", "PASSIVE"}, std::pair{"OPENBLAS_NUM_THREADS", "1"}}) {
    if (std::getenv(name) != nullptr) continue;
    ::setenv(name, value, 0);
    changed = true;
  }
  ::setenv("JPQD_THREADS_SETTLED", "1", 1);
  if (changed) ::execv("/proc/self/exe", argv);  // on failure, carry on with the defaults
}

// Every training step allocates and frees the same large tensors (an embedding table's gradient and the
// optimizer's temporaries: 15 MB each for a 30,522-token vocabulary at width 128). glibc hands blocks that
// large to mmap and returns them at free, so each step page-faults them in anew: a bert-tiny step spent a
// quarter of its time in the kernel's fault handler, and keeping the freed memory in the heap made it 2.6x
// faster (docs/RESULTS.md). The heap keeps what a step used; the process exits when training ends.
void keep_freed_memory_for_training(int argc, char** argv) {
  if (!is_training_command(argc, argv)) return;
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest allowed value
  ::mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace

int main(int argc, char** argv) {
  settle_training_threads(argc, argv);
  keep_freed_memory_for_training(argc, argv);
  CLI::App app{"jpqd: joint pruning, quantization and distillation of BERT models, and an INT8 CPU runtime"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("jpqd 0.1.0"));
  register_all(app);
  try {
    std::vector<std::string> args = normalise_single_dash_options(argc, argv);
    std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const jpqd::Error& e) {
    std::fprintf(stderr, "jpqd: error: %s\n", e.what());
    return static_cast<int>(e.exit_code());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jpqd: internal error: %s\n", e.what());
    return static_cast<int>(jpqd::ExitCode::kInternal);
  }
  return 0;
}
