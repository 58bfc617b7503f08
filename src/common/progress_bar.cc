#include "common/progress_bar.h"

#include <unistd.h>

#include <cstdio>

#include "common/logging.h"

namespace jpqd {

std::string format_duration(double seconds) {
  if (seconds < 0 || seconds != seconds) return "?";
  auto s = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof(buf), "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>((s / 60) % 60), static_cast<long long>(s % 60));
  else
    std::snprintf(buf, sizeof(buf), "%02lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  return buf;
}

ProgressBar::ProgressBar(std::string description, int64_t total, std::string unit, int64_t plain_every)
    : description_(std::move(description)),
      total_(total),
      unit_(std::move(unit)),
      plain_every_(plain_every > 0 ? plain_every : (total > 20 ? total / 10 : 1)),
      next_plain_(plain_every_),
      // A process whose info lines are silenced (a data-parallel replica) draws no bar either.
      interactive_(::isatty(STDERR_FILENO) == 1 && log_level() <= LogLevel::kInfo),
      start_(std::chrono::steady_clock::now()),
      last_render_(start_) {}

ProgressBar::~ProgressBar() { close(); }

void ProgressBar::start_at(int64_t n) {
  initial_ = count_ = n;
  next_plain_ = (count_ / plain_every_ + 1) * plain_every_;
}

void ProgressBar::update(int64_t n) {
  count_ += n;
  render(false);
}

void ProgressBar::close() {
  if (closed_) return;
  render(true);
  if (interactive_) std::fputc('\n', stderr);
  closed_ = true;
}

void ProgressBar::render(bool force) {
  auto now = std::chrono::steady_clock::now();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double rate = elapsed > 0 ? (count_ - initial_) / elapsed : 0.0;
  double eta = rate > 0 && total_ > 0 ? (total_ - count_) / rate : -1;
  if (interactive_) {
    if (!force && now - last_render_ < std::chrono::milliseconds(200)) return;
    last_render_ = now;
    const int width = 30;
    int filled = total_ > 0 ? static_cast<int>(width * count_ / total_) : 0;
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, ' ');
    int pct = total_ > 0 ? static_cast<int>(100 * count_ / total_) : 0;
    std::fprintf(stderr, "\r%s: %3d%%|%s| %lld/%lld [%s<%s, %.2f%s/s] %s", description_.c_str(), pct,
                 bar.c_str(), static_cast<long long>(count_), static_cast<long long>(total_),
                 format_duration(elapsed).c_str(), format_duration(eta).c_str(), rate, unit_.c_str(),
                 postfix_.c_str());
    std::fflush(stderr);
  } else if (force || count_ >= next_plain_) {
    // update(n) may step over a multiple of plain_every_ (work done in chunks): one line for it.
    next_plain_ = (count_ / plain_every_ + 1) * plain_every_;
    if (closed_) return;
    log_info(description_, ": ", count_, "/", total_, " ", unit_, " (", format_duration(elapsed), " elapsed, ",
             format_duration(eta), " left, ", rate, " ", unit_, "/s) ", postfix_);
  }
}

}  // namespace jpqd
