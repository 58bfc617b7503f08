// Progress of long work: a tqdm-like bar with rate and ETA on a terminal, plain log lines otherwise
// (so CI logs and `> file` redirections stay readable).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace jpqd {

class ProgressBar {
 public:
  // `unit` names what is counted ("it", "steps", "seq"); `plain_every` controls how often a plain
  // log line is written when stderr is not a terminal.
  ProgressBar(std::string description, int64_t total, std::string unit = "it", int64_t plain_every = 0);
  ~ProgressBar();

  // Counts n items as done before this process started (a resumed run): shown in the count, left out
  // of the rate and the time left. Like tqdm's `initial`.
  void start_at(int64_t n);
  void update(int64_t n = 1);
  void set_postfix(const std::string& postfix) { postfix_ = postfix; }
  void close();

 private:
  void render(bool force);

  std::string description_;
  int64_t total_;
  std::string unit_;
  int64_t plain_every_;
  int64_t count_ = 0;
  int64_t initial_ = 0;
  int64_t next_plain_;  // the count at which the next plain line is due
  bool interactive_;
  bool closed_ = false;
  std::string postfix_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_render_;
};

std::string format_duration(double seconds);

}  // namespace jpqd
