#include "training/mixed_precision.h"

#include <ATen/autocast_mode.h>

namespace jpqd::training {

bool cpu_has_native_bf16() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

AutocastBf16Scope::AutocastBf16Scope(bool enabled) : enabled_(enabled) {
  if (!enabled_) return;
  was_enabled_ = at::autocast::is_cpu_enabled();
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  at::autocast::set_cpu_enabled(true);
  at::autocast::increment_nesting();
}

AutocastBf16Scope::~AutocastBf16Scope() {
  if (!enabled_) return;
  // Cached bf16 copies of the weights are only valid for this forward: the optimizer changes them.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_cpu_enabled(was_enabled_);
}

}  // namespace jpqd::training
