#include "runtime/cpu_isa.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>

#include "common/error.h"

namespace jpqd::runtime {

namespace {

std::string isa_name(dnnl::cpu_isa isa) {
  static const std::map<dnnl::cpu_isa, std::string> names = {
      {dnnl::cpu_isa::sse41, "sse41"},
      {dnnl::cpu_isa::avx, "avx"},
      {dnnl::cpu_isa::avx2, "avx2"},
      {dnnl::cpu_isa::avx2_vnni, "avx2_vnni"},
      {dnnl::cpu_isa::avx512_core, "avx512_core"},
      {dnnl::cpu_isa::avx512_core_vnni, "avx512_core_vnni"},
      {dnnl::cpu_isa::avx512_core_bf16, "avx512_core_bf16"},
      {dnnl::cpu_isa::avx512_core_amx, "avx512_core_amx"},
      {dnnl::cpu_isa::all, "all"}};
  auto it = names.find(isa);
  return it == names.end() ? "isa#" + std::to_string(static_cast<int>(isa)) : it->second;
}

std::string initialize() {
  const char* requested = std::getenv("JPQD_MAX_ISA");
  if (requested != nullptr && *requested != '\0') {
    static const std::map<std::string, dnnl::cpu_isa> isas = {
        {"sse41", dnnl::cpu_isa::sse41},
        {"avx", dnnl::cpu_isa::avx},
        {"avx2", dnnl::cpu_isa::avx2},
        {"avx2_vnni", dnnl::cpu_isa::avx2_vnni},
        {"avx512_core", dnnl::cpu_isa::avx512_core},
        {"avx512_core_vnni", dnnl::cpu_isa::avx512_core_vnni},
        {"avx512_core_bf16", dnnl::cpu_isa::avx512_core_bf16},
        {"avx512_core_amx", dnnl::cpu_isa::avx512_core_amx},
        {"all", dnnl::cpu_isa::all}};
    auto it = isas.find(requested);
    JPQD_CHECK(it != isas.end(), InvalidArgument, "JPQD_MAX_ISA=", requested,
               ": unknown ISA (sse41, avx, avx2, avx2_vnni, avx512_core, avx512_core_vnni, avx512_core_bf16, all)");
    try {
      dnnl::set_max_cpu_isa(it->second);
    } catch (const dnnl::error& e) {
      // oneDNN refuses once it has dispatched a kernel; say so instead of silently ignoring the cap.
      throw InvalidArgument(str_cat("JPQD_MAX_ISA=", requested, ": oneDNN refused the cap (", e.what(),
                                    "); it must be set before the first oneDNN call"));
    }
  }
  return isa_name(dnnl::get_effective_cpu_isa());
}

}  // namespace

bool int8_gemm_is_exact() {
  ensure_cpu_isa_initialized();
  static const bool exact = [] {
    const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    // oneDNN encodes ISAs as feature bit sets: 0x40 is AVX-512 VNNI, 0x400 AVX-VNNI.
    return (isa & (static_cast<unsigned>(dnnl_cpu_isa_avx512_core_vnni) & ~static_cast<unsigned>(dnnl_cpu_isa_avx512_core))) != 0 ||
           (isa & (static_cast<unsigned>(dnnl_cpu_isa_avx2_vnni) & ~static_cast<unsigned>(dnnl_cpu_isa_avx2))) != 0;
  }();
  return exact;
}

const std::string& ensure_cpu_isa_initialized() {
  static const std::string effective = initialize();
  return effective;
}

}  // namespace jpqd::runtime
