#include "common/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace jpqd {

int worker_threads(int64_t requested) {
  if (requested > 0) return static_cast<int>(std::min<int64_t>(requested, std::numeric_limits<int>::max()));
  return std::max(1u, std::thread::hardware_concurrency());
}

void parallel_for(size_t n, int threads, const std::function<void(size_t)>& body,
                  const std::function<void(size_t)>& progress) {
  const auto workers = static_cast<size_t>(std::max(1, threads));
  if (workers == 1 || n <= 1) {
    for (size_t i = 0; i < n; ++i) {
      body(i);
      if (progress) progress(1);
    }
    return;
  }
  // Chunks of up to 64 items, at least ~256 per worker: small enough to balance documents of very
  // different lengths and to move a progress bar, large enough that handing them out costs nothing.
  const size_t grain = std::clamp<size_t>(n / (workers * 256), 1, 64);

  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::condition_variable changed;
  size_t done = 0;  // guarded by mutex, like the rest below
  size_t running = 0;
  size_t failed_index = std::numeric_limits<size_t>::max();
  std::exception_ptr failure;

  const auto record_failure = [&](size_t index, std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mutex);
    if (index < failed_index) {
      failed_index = index;
      failure = std::move(error);
    }
    failed = true;
  };
  const auto work = [&] {
    // Chunks are claimed in increasing order and a claimed chunk always runs to its end (or its own
    // failure), so every item before the first failure runs, as in the serial loop.
    while (!failed) {
      const size_t begin = next.fetch_add(grain);
      if (begin >= n) break;
      const size_t end = std::min(n, begin + grain);
      size_t i = begin;
      try {
        for (; i < end; ++i) body(i);
      } catch (...) {
        record_failure(i, std::current_exception());
      }
      {
        std::lock_guard<std::mutex> lock(mutex);
        done += i - begin;
      }
      changed.notify_one();
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      --running;
    }
    changed.notify_one();
  };

  const size_t count = std::min(workers, (n + grain - 1) / grain);
  std::vector<std::thread> pool;
  pool.reserve(count);
  {
    std::lock_guard<std::mutex> lock(mutex);
    running = count;
  }
  for (size_t t = 0; t < count; ++t) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      // Out of threads: those started share the work, or with none the calling thread does it all.
      std::lock_guard<std::mutex> lock(mutex);
      running -= count - t;
      break;
    }
  }
  if (pool.empty()) {
    parallel_for(n, 1, body, progress);
    return;
  }

  size_t reported = 0;
  std::exception_ptr progress_failure;
  {
    std::unique_lock<std::mutex> lock(mutex);
    while (true) {
      changed.wait(lock, [&] { return running == 0 || done != reported; });
      const size_t now_done = done;
      const bool finished = running == 0;
      if (progress && now_done != reported && !progress_failure) {
        lock.unlock();
        try {
          progress(now_done - reported);
        } catch (...) {
          progress_failure = std::current_exception();
          failed = true;
        }
        lock.lock();
      }
      reported = now_done;
      if (finished) break;
    }
  }
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
  if (progress_failure) std::rethrow_exception(progress_failure);
}

}  // namespace jpqd
