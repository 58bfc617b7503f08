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

// The runtime registers only what exists in this build.
void register_all(CLI::App& app) {
#ifdef JPQD_WITH_TRAINING
  jpqd::cli::register_training_commands(app);
#endif
  jpqd::cli::register_runtime_commands(app);
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
    std::vector<std::string> args = jpqd::cli::normalise_single_dash_options({argv + 1, argv + argc});
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
