// Where this process sits in a data-parallel job, read from the variables torchrun (and `jpqd launch`)
// set: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT (and torchrun's
// TORCHELASTIC_USE_AGENT_STORE, TORCHELASTIC_RESTART_COUNT). None set means one process (rank 0 of 1);
// a multi-process job needs all five, so a half-configured environment fails at start-up instead of
// silently training alone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace jpqd::training {

struct DistributedEnv {
  int64_t rank = 0;
  int64_t world_size = 1;
  int64_t local_rank = 0;
  int64_t local_world_size = 1;  // processes on this machine: they share its cores
  std::string master_addr = "127.0.0.1";
  int64_t master_port = 29500;
  // torchrun's static rendezvous (TORCHELASTIC_USE_AGENT_STORE=True): its agent already serves the store at
  // MASTER_ADDR:MASTER_PORT, so every rank connects as a client, under a prefix per restart
  // (TORCHELASTIC_RESTART_COUNT) because the agent's store outlives the workers it restarts.
  bool use_agent_store = false;
  int64_t restart_count = 0;

  bool is_distributed() const { return world_size > 1; }
  // Only rank 0 writes logs, checkpoints and exports (HF's `should_save` / `is_world_process_zero`).
  bool is_main_process() const { return rank == 0; }

  // Reads the process environment. Throws InvalidArgument naming the variable and its value.
  static DistributedEnv from_environment();
  // The same from any lookup (returns nullptr for an unset name), so tests need not touch the environment.
  static DistributedEnv from_lookup(const std::function<const char*(const char*)>& getenv);
};

}  // namespace jpqd::training
