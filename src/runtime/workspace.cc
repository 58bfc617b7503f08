#include "runtime/workspace.h"

#include <algorithm>
#include <new>

namespace jpqd::runtime {

Workspace& Workspace::for_this_thread() {
  thread_local Workspace workspace;
  return workspace;
}

void* Workspace::get(size_t slot, size_t bytes) {
  if (slot >= buffers_.size()) buffers_.resize(slot + 1);
  Buffer& b = buffers_[slot];
  if (b.bytes < bytes || !b.data) {
    // Grow by 1.5x so a sequence of slightly longer batches does not reallocate every call.
    size_t want = std::max(bytes, b.bytes + b.bytes / 2);
    want = (std::max<size_t>(want, 64) + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, want);
    if (p == nullptr) throw std::bad_alloc();
    b.data.reset(p);
    b.bytes = want;
  }
  return b.data.get();
}

}  // namespace jpqd::runtime
