// CPU ISA selection for oneDNN, decided once per process.
//
// JPQD_MAX_ISA (e.g. "avx2", "avx512_core", "avx512_core_vnni") caps the instruction set oneDNN may
// use, so tests and benchmarks can exercise the fallback paths on a machine that has more. oneDNN only
// honours the cap before its first primitive is created, so every runtime entry point calls
// ensure_cpu_isa_initialized() first.
#pragma once

#include <string>

namespace jpqd::runtime {

// Applies JPQD_MAX_ISA (once; later calls are no-ops) and returns the effective ISA's name.
// Throws InvalidArgument for an unknown JPQD_MAX_ISA value.
const std::string& ensure_cpu_isa_initialized();

// True when oneDNN may use VNNI (vpdpbusd) for u8 x s8 products. Without VNNI, its INT8 kernels
// use vpmaddubsw, whose pairwise s16 sums saturate (255 * 127 * 2 > 32767), so results are not the
// exact integer products the quantization contract needs; INT8 Linears then take an f32 GEMM path.
bool int8_gemm_is_exact();

}  // namespace jpqd::runtime
