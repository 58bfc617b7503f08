// The process-wide oneDNN CPU engine, a stream per calling thread, and a cache of matmul primitives.
//
// Threading: oneDNN is built on OpenMP here. Each std::thread that calls run() owns its OpenMP
// thread count (omp_set_num_threads is per thread), so a throughput "stream" is just a thread with
// its own count. Primitive descriptors bake in the thread count they were created for, so the cache
// key includes omp_get_max_threads() of the caller. Primitives use user-managed scratchpads, which
// makes one primitive safe to execute from several threads at once.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

namespace jpqd::runtime {

class DnnlContext {
 public:
  static DnnlContext& instance();

  const dnnl::engine& engine() const { return engine_; }
  // A stream for the calling thread (oneDNN streams are not meant to be shared across threads).
  dnnl::stream& thread_stream();

 private:
  DnnlContext();
  dnnl::engine engine_;
};

// Matmul primitives keyed by a caller-built string (shapes, types, post-ops, thread count).
class MatmulCache {
 public:
  struct Entry {
    dnnl::matmul primitive;
    dnnl::matmul::primitive_desc pd;
  };
  // Returns the cached entry for `key`, creating it with `make` on a miss.
  template <typename Make>
  std::shared_ptr<const Entry> get(const std::string& key, Make&& make) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end()) return it->second;
    }
    // Created outside the lock: primitive creation can take milliseconds and must not serialise others.
    auto entry = std::make_shared<Entry>();
    entry->pd = make();
    entry->primitive = dnnl::matmul(entry->pd);
    std::lock_guard<std::mutex> lock(mutex_);
    // Dynamic padding can produce many row counts; past the cap start over rather than grow without
    // bound (in-flight entries stay alive through their shared_ptr; oneDNN's own primitive cache
    // makes re-creation cheap).
    if (entries_.size() >= kMaxEntries) entries_.clear();
    return entries_.emplace(key, std::move(entry)).first->second;
  }
  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.size();
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>> entries_;
};

// Number of threads a parallel region started by the calling thread would use.
int caller_thread_count();
// Sets the calling thread's OpenMP thread count (used for streams).
void set_caller_thread_count(int n);

}  // namespace jpqd::runtime
