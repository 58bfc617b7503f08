// Thread counts per calling thread, and throughput streams (see include/jpqd/runtime.h).
#include <omp.h>
#include <sched.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <algorithm>
#include <thread>

#include "common/error.h"
#include "jpqd/runtime.h"
#include "runtime/dnnl_context.h"

namespace jpqd::runtime {

void set_thread_count_for_this_thread(int threads) {
  JPQD_CHECK(threads >= 1, InvalidArgument, "thread count ", threads, " must be at least 1");
  set_caller_thread_count(threads);
}

int thread_count_for_this_thread() { return caller_thread_count(); }

int available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPlan plan_threads(PerformanceHint hint, int threads, int streams) {
  JPQD_CHECK(threads >= 0 && streams >= 0, InvalidArgument, "threads (", threads, ") and streams (", streams,
             ") must not be negative");
  const int total = threads > 0 ? threads : available_cores();
  ThreadPlan plan;
  if (hint == PerformanceHint::kLatency) {
    plan.streams = streams > 0 ? streams : 1;
  } else {
    plan.streams = streams > 0 ? streams : total;
  }
  plan.threads_per_stream = std::max(1, total / plan.streams);
  return plan;
}

struct StreamPool::State {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::packaged_task<Logits()>> queue;
  bool stopping = false;
  std::vector<std::thread> workers;
};

StreamPool::StreamPool(int streams, int threads_per_stream) : state_(std::make_unique<State>()) {
  JPQD_CHECK(streams >= 1 && threads_per_stream >= 1, InvalidArgument, "streams (", streams,
             ") and threads per stream (", threads_per_stream, ") must be at least 1");
  State* s = state_.get();
  for (int i = 0; i < streams; ++i) {
    s->workers.emplace_back([s, threads_per_stream] {
      // OpenMP's thread count is per calling thread: set once, every request of this stream uses it.
      omp_set_num_threads(threads_per_stream);
      for (;;) {
        std::packaged_task<Logits()> task;
        {
          std::unique_lock<std::mutex> lock(s->mutex);
          s->wake.wait(lock, [s] { return s->stopping || !s->queue.empty(); });
          if (s->queue.empty()) return;
          task = std::move(s->queue.front());
          s->queue.pop_front();
        }
        task();
      }
    });
  }
}

StreamPool::~StreamPool() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  for (auto& w : state_->workers) w.join();
}

std::future<Logits> StreamPool::submit(std::function<Logits()> job) {
  std::packaged_task<Logits()> task(std::move(job));
  std::future<Logits> result = task.get_future();
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->queue.push_back(std::move(task));
  }
  state_->wake.notify_one();
  return result;
}

int StreamPool::streams() const { return static_cast<int>(state_->workers.size()); }

}  // namespace jpqd::runtime
