// jpqd launch: torchrun's single-node launcher (plus its static multi-node form). Starts
// --nproc_per_node copies of a command with RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK,
// MASTER_ADDR and MASTER_PORT set, forwards SIGINT/SIGTERM to them, and when one exits non-zero stops the
// others (SIGTERM, then SIGKILL after a grace period) and exits with that rank's code.
//
//   jpqd launch --nproc_per_node 2 -- jpqd glue --model_name_or_path ... --output_dir out
//   # two hosts, run on each with its own --node_rank:
//   jpqd launch --nnodes 2 --node_rank 0 --nproc_per_node 4 --master_addr 10.0.0.1 --master_port 29500 -- jpqd glue ...
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "commands/command.h"
#include "common/error.h"

extern char** environ;

namespace jpqd::cli {

namespace {

struct LaunchFlags {
  int64_t nproc_per_node = 1;
  int64_t nnodes = 1;
  int64_t node_rank = 0;
  std::string master_addr = "127.0.0.1";
  int64_t master_port = 29500;
  double kill_grace_seconds = 10.0;
  std::vector<std::string> command;
};

struct Child {
  int64_t rank = 0;
  int64_t local_rank = 0;
  pid_t pid = -1;
  bool running = false;
};

// The environment of one rank: ours, with the torchrun variables replaced.
std::vector<std::string> child_environment(const LaunchFlags& f, int64_t local_rank) {
  const std::vector<std::pair<std::string, std::string>> vars = {
      {"RANK", std::to_string(f.node_rank * f.nproc_per_node + local_rank)},
      {"WORLD_SIZE", std::to_string(f.nnodes * f.nproc_per_node)},
      {"LOCAL_RANK", std::to_string(local_rank)},
      {"LOCAL_WORLD_SIZE", std::to_string(f.nproc_per_node)},
      {"GROUP_RANK", std::to_string(f.node_rank)},
      {"MASTER_ADDR", f.master_addr},
      {"MASTER_PORT", std::to_string(f.master_port)},
  };
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& v : vars) replaced = replaced || v.first == name;
    if (!replaced) env.push_back(entry);
  }
  for (const auto& [name, value] : vars) env.push_back(name + "=" + value);
  // Like torchrun, split the cores between the local ranks unless the user chose (N processes that each
  // start a pool as wide as the machine would fight over it).
  if (f.nproc_per_node > 1 && std::getenv("OMP_NUM_THREADS") == nullptr) {
    const auto cores = static_cast<int64_t>(std::thread::hardware_concurrency());
    env.push_back("OMP_NUM_THREADS=" + std::to_string(std::max<int64_t>(1, cores / f.nproc_per_node)));
  }
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Each rank leads its own process group, so a signal reaches whatever it started too (a shell's children).
void signal_running(std::vector<Child>& children, int signal) {
  for (const auto& c : children)
    if (c.running) ::kill(-c.pid, signal);
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status))
    return str_cat("was killed by signal ", WTERMSIG(status), " (", ::strsignal(WTERMSIG(status)), ")");
  return str_cat("exited with code ", WEXITSTATUS(status));
}

int exit_code_of(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

void run_launch(LaunchFlags f) {
  JPQD_CHECK(f.nproc_per_node >= 1, InvalidArgument, "--nproc_per_node must be at least 1, got ", f.nproc_per_node);
  JPQD_CHECK(f.nnodes >= 1, InvalidArgument, "--nnodes must be at least 1, got ", f.nnodes);
  JPQD_CHECK(f.node_rank >= 0 && f.node_rank < f.nnodes, InvalidArgument, "--node_rank ", f.node_rank,
             " must be in [0, --nnodes ", f.nnodes, ")");
  JPQD_CHECK(f.master_port >= 1 && f.master_port <= 65535, InvalidArgument, "--master_port ", f.master_port,
             " is not a TCP port (1..65535)");
  JPQD_CHECK(!f.master_addr.empty(), InvalidArgument, "--master_addr must not be empty");
  JPQD_CHECK(f.kill_grace_seconds >= 0, InvalidArgument, "--kill_grace_seconds must not be negative, got ",
             f.kill_grace_seconds);
  JPQD_CHECK(!f.command.empty(), InvalidArgument, "no command to launch: jpqd launch [options] -- <command...>");
  // `jpqd` means this binary, wherever it is, so `jpqd launch -- jpqd glue ...` works without PATH.
  if (f.command[0] == "jpqd") f.command[0] = std::filesystem::read_symlink("/proc/self/exe").string();

  sigset_t handled, previous;
  sigemptyset(&handled);
  for (int s : {SIGINT, SIGTERM, SIGCHLD}) sigaddset(&handled, s);
  ::sigprocmask(SIG_BLOCK, &handled, &previous);

  std::vector<Child> children;
  const pid_t launcher = ::getpid();
  for (int64_t local = 0; local < f.nproc_per_node; ++local) {
    // Built before fork(): the child only calls async-signal-safe functions until exec.
    auto env = child_environment(f, local);
    auto argv_strings = f.command;
    auto envp = c_strings(env);
    auto argv = c_strings(argv_strings);
    const pid_t pid = ::fork();
    if (pid < 0) {
      signal_running(children, SIGKILL);
      throw Error(str_cat("launch: fork failed for local rank ", local, ": ", std::strerror(errno)));
    }
    if (pid == 0) {
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a launcher killed with SIGKILL takes its ranks with it
      if (::getppid() != launcher) ::_exit(1);
      ::sigprocmask(SIG_SETMASK, &previous, nullptr);
      ::execvpe(argv[0], argv.data(), envp.data());
      const char* prefix = "jpqd: error: launch: cannot run ";
      (void)!::write(2, prefix, std::strlen(prefix));
      (void)!::write(2, argv[0], std::strlen(argv[0]));
      (void)!::write(2, "\n", 1);
      ::_exit(127);
    }
    ::setpgid(pid, pid);  // also here, so a signal sent before the child ran setpgid finds the group
    children.push_back({f.node_rank * f.nproc_per_node + local, local, pid, true});
  }

  using Clock = std::chrono::steady_clock;
  int64_t running = f.nproc_per_node;
  const Child* failed = nullptr;
  int failed_status = 0;
  int forwarded = 0;  // the last signal the user sent us
  bool killed = false;
  Clock::time_point kill_at{};
  while (running > 0) {
    const timespec tick{0, 100 * 1000 * 1000};
    siginfo_t info;
    const int signal = ::sigtimedwait(&handled, &info, &tick);
    if (signal == SIGINT || signal == SIGTERM) {
      forwarded = signal;
      signal_running(children, signal);
    }
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      for (auto& c : children) {
        if (c.pid != pid || !c.running) continue;
        c.running = false;
        --running;
        if (exit_code_of(status) != 0 && failed == nullptr) {
          failed = &c;
          failed_status = status;
          // After a user's signal the ranks are already stopping (checkpointing): let them finish.
          if (forwarded == 0 && running > 0) {
            signal_running(children, SIGTERM);
            kill_at = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(f.kill_grace_seconds));
          }
        }
      }
    }
    if (failed != nullptr && forwarded == 0 && !killed && running > 0 && Clock::now() >= kill_at) {
      signal_running(children, SIGKILL);
      killed = true;
    }
  }
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);

  if (failed == nullptr) return;
  const int64_t others = f.nproc_per_node - 1;
  std::string what = str_cat("launch: rank ", failed->rank, " (local rank ", failed->local_rank, ", pid ",
                             failed->pid, ") ", describe_status(failed_status));
  if (forwarded != 0)
    what += str_cat(" after ", ::strsignal(forwarded), " was forwarded to all ranks");
  else if (others > 0)
    what += str_cat("; stopped the other ", others, " local rank", others == 1 ? "" : "s");
  throw Error(what, static_cast<ExitCode>(exit_code_of(failed_status)));
}

}  // namespace

void register_launch_command(CLI::App& app) {
  auto f = std::make_shared<LaunchFlags>();
  CLI::App* cmd = app.add_subcommand(
      "launch", "Start data-parallel training processes like torchrun: jpqd launch --nproc_per_node N -- <command...>");
  cmd->add_option("--nproc_per_node", f->nproc_per_node, "Processes (ranks) on this machine")->capture_default_str();
  cmd->add_option("--nnodes", f->nnodes, "Machines taking part")->capture_default_str();
  cmd->add_option("--node_rank", f->node_rank, "This machine's index in [0, nnodes)")->capture_default_str();
  cmd->add_option("--master_addr", f->master_addr, "Address of the machine with node_rank 0")->capture_default_str();
  cmd->add_option("--master_port", f->master_port, "Free TCP port on the master for the rendezvous")
      ->capture_default_str();
  cmd->add_option("--kill_grace_seconds", f->kill_grace_seconds,
                  "After one rank fails, how long the others get to exit after SIGTERM before SIGKILL")
      ->capture_default_str();
  cmd->add_option("command", f->command, "The command each rank runs, after `--` (`jpqd` means this binary)")
      ->required();
  cmd->callback([f] { run_launch(*f); });
}

}  // namespace jpqd::cli
