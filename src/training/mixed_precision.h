// --fp16 / --bf16 on a CPU: bfloat16 autocast of the training forward, as torch.autocast("cpu") does,
// where the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX). Elsewhere bfloat16 GEMMs are
// emulated and slower than float32, so training stays in float32 and says so.
#pragma once

namespace jpqd::training {

bool cpu_has_native_bf16();

// Enables CPU bfloat16 autocast for its lifetime (no-op when `enabled` is false). Backward runs outside
// it, as PyTorch recommends: autograd replays the casts recorded in the forward.
class AutocastBf16Scope {
 public:
  explicit AutocastBf16Scope(bool enabled);
  ~AutocastBf16Scope();
  AutocastBf16Scope(const AutocastBf16Scope&) = delete;
  AutocastBf16Scope& operator=(const AutocastBf16Scope&) = delete;

 private:
  bool enabled_;
  bool was_enabled_ = false;
};

}  // namespace jpqd::training
