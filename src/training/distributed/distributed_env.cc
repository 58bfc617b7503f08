#include "training/distributed/distributed_env.h"

#include <cerrno>
#include <cstdlib>
#include <optional>

#include "common/error.h"

namespace jpqd::training {

namespace {

// A whole decimal integer: "3" but not "", "3x", " 3", "0x3" or an out-of-range value.
std::optional<int64_t> parse_integer(const char* name, const char* text) {
  if (text == nullptr) return std::nullopt;
  const std::string value = text;
  char* end = nullptr;
  errno = 0;
  const long long parsed = std::strtoll(value.c_str(), &end, 10);
  const bool digits_only = !value.empty() && value.find_first_not_of("+-0123456789") == std::string::npos;
  JPQD_CHECK(digits_only && end != nullptr && *end == '\0' && errno == 0, InvalidArgument, "environment variable ",
             name, "=\"", value, "\" is not an integer");
  return static_cast<int64_t>(parsed);
}

}  // namespace

DistributedEnv DistributedEnv::from_environment() {
  return from_lookup([](const char* name) -> const char* { return std::getenv(name); });
}

DistributedEnv DistributedEnv::from_lookup(const std::function<const char*(const char*)>& getenv) {
  DistributedEnv env;
  const auto rank = parse_integer("RANK", getenv("RANK"));
  const auto world_size = parse_integer("WORLD_SIZE", getenv("WORLD_SIZE"));
  const auto local_rank = parse_integer("LOCAL_RANK", getenv("LOCAL_RANK"));
  const auto local_world_size = parse_integer("LOCAL_WORLD_SIZE", getenv("LOCAL_WORLD_SIZE"));
  const auto port = parse_integer("MASTER_PORT", getenv("MASTER_PORT"));
  const char* addr = getenv("MASTER_ADDR");
  const auto restart_count = parse_integer("TORCHELASTIC_RESTART_COUNT", getenv("TORCHELASTIC_RESTART_COUNT"));
  const char* agent_store = getenv("TORCHELASTIC_USE_AGENT_STORE");

  if (world_size) {
    JPQD_CHECK(*world_size >= 1, InvalidArgument, "environment variable WORLD_SIZE=", *world_size,
               " must be at least 1");
    env.world_size = *world_size;
  }
  if (rank) {
    JPQD_CHECK(*rank >= 0, InvalidArgument, "environment variable RANK=", *rank, " must not be negative");
    JPQD_CHECK(world_size.has_value(), InvalidArgument, "environment variable RANK=", *rank,
               " is set but WORLD_SIZE is not");
    JPQD_CHECK(*rank < env.world_size, InvalidArgument, "environment variable RANK=", *rank,
               " must be below WORLD_SIZE=", env.world_size);
    env.rank = *rank;
  }
  if (local_rank) {
    JPQD_CHECK(*local_rank >= 0, InvalidArgument, "environment variable LOCAL_RANK=", *local_rank,
               " must not be negative");
    JPQD_CHECK(*local_rank <= env.rank, InvalidArgument, "environment variable LOCAL_RANK=", *local_rank,
               " cannot exceed RANK=", env.rank, " (ranks count every process of every node)");
    env.local_rank = *local_rank;
  }
  if (local_world_size) {
    JPQD_CHECK(*local_world_size >= 1 && *local_world_size <= env.world_size && env.local_rank < *local_world_size,
               InvalidArgument, "environment variable LOCAL_WORLD_SIZE=", *local_world_size,
               " must be in [LOCAL_RANK+1, WORLD_SIZE] = [", env.local_rank + 1, ", ", env.world_size, "]");
    env.local_world_size = *local_world_size;
  }
  if (port) {
    JPQD_CHECK(*port >= 1 && *port <= 65535, InvalidArgument, "environment variable MASTER_PORT=", *port,
               " is not a TCP port (1..65535)");
    env.master_port = *port;
  }
  if (addr != nullptr) {
    JPQD_CHECK(*addr != '\0', InvalidArgument, "environment variable MASTER_ADDR is set but empty");
    env.master_addr = addr;
  }
  // torchrun writes Python's str(bool); any other spelling is a hand-made environment that might mean either.
  if (agent_store != nullptr) {
    const std::string value = agent_store;
    JPQD_CHECK(value == "True" || value == "False", InvalidArgument,
               "environment variable TORCHELASTIC_USE_AGENT_STORE=\"", value, "\" is neither True nor False");
    env.use_agent_store = value == "True";
  }
  if (restart_count) {
    JPQD_CHECK(*restart_count >= 0, InvalidArgument, "environment variable TORCHELASTIC_RESTART_COUNT=",
               *restart_count, " must not be negative");
    env.restart_count = *restart_count;
  }
  if (env.world_size > 1) {
    JPQD_CHECK(rank.has_value(), InvalidArgument, "environment variable WORLD_SIZE=", env.world_size,
               " is set but RANK is not (start the processes with `jpqd launch` or torchrun)");
    JPQD_CHECK(addr != nullptr, InvalidArgument, "environment variable WORLD_SIZE=", env.world_size,
               " is set but MASTER_ADDR is not");
    JPQD_CHECK(port.has_value(), InvalidArgument, "environment variable WORLD_SIZE=", env.world_size,
               " is set but MASTER_PORT is not");
  }
  return env;
}

}  // namespace jpqd::training
