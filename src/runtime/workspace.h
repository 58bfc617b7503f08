// Per-thread scratch memory for one forward pass. Every run() borrows the calling thread's
// Workspace, so concurrent calls never share mutable buffers, and steady-state calls allocate nothing.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <vector>

namespace jpqd::runtime {

class Workspace {
 public:
  // The calling thread's workspace.
  static Workspace& for_this_thread();

  // A 64-byte aligned buffer of at least `bytes` for `slot`; contents are not preserved across calls
  // that grow it. Slots are small integers chosen by the caller (one per live buffer).
  void* get(size_t slot, size_t bytes);
  template <typename T>
  T* get(size_t slot, size_t count) {
    return static_cast<T*>(get(slot, count * sizeof(T)));
  }

 private:
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  struct Buffer {
    std::unique_ptr<void, Free> data;
    size_t bytes = 0;
  };
  std::vector<Buffer> buffers_;
};

// Slot numbers used by the engine (one place, so no two users collide).
enum WorkspaceSlot : size_t {
  kSlotHidden = 0,
  kSlotHiddenQuantized,
  kSlotQkv,
  kSlotContext,
  kSlotIntermediate,
  kSlotLinearInput,     // Linear quantizing its own f32 input
  kSlotLinearOutput,    // Linear quantizing its output after the GEMM
  kSlotDnnlScratchpad,  // oneDNN user scratchpad
  kSlotAttentionScores,
  kSlotAttentionQ,
  kSlotAttentionK,
  kSlotAttentionIntegerScores,
  kSlotHeadInput,
  kSlotHeadHidden,
  kSlotHeadOutput,
  kSlotMaskBias,
  kSlotPositionIds,
  kSlotCount,
};

}  // namespace jpqd::runtime
