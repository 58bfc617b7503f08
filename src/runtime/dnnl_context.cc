#include "runtime/dnnl_context.h"

#include <omp.h>

#include "runtime/cpu_isa.h"

namespace jpqd::runtime {

DnnlContext& DnnlContext::instance() {
  static DnnlContext context;
  return context;
}

DnnlContext::DnnlContext() {
  ensure_cpu_isa_initialized();
  engine_ = dnnl::engine(dnnl::engine::kind::cpu, 0);
}

dnnl::stream& DnnlContext::thread_stream() {
  thread_local dnnl::stream stream(engine_);
  return stream;
}

int caller_thread_count() { return omp_get_max_threads(); }
void set_caller_thread_count(int n) { omp_set_num_threads(n < 1 ? 1 : n); }

}  // namespace jpqd::runtime
