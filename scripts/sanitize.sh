#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer (-DJPQD_SANITIZE=ON), in build-asan/.
# See docs/fuzzing.md.
#
#   scripts/sanitize.sh                                   # whole suite (LibTorch world too: slow build)
#   scripts/sanitize.sh -DJPQD_BUILD_TRAINING=OFF         # the LibTorch-free tests only
#   JPQD_SANITIZE_TARGETS="test_text test_data" scripts/sanitize.sh -DJPQD_BUILD_TRAINING=OFF
#                                                         # build and run just these test binaries
# Extra arguments go to CMake. JPQD_JOBS (default 1) sets the build parallelism; the build dir is
# $JPQD_BUILD_DIR (default build-asan). Exits non-zero when a test fails or a sanitizer reports.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${JPQD_BUILD_DIR:-build-asan}
JOBS=${JPQD_JOBS:-1}

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJPQD_SANITIZE=ON \
  -DJPQD_BUILD_TESTS=ON -DJPQD_BUILD_BENCH=OFF "$@"

# Leaks: LibTorch, OpenMP (libgomp), OpenBLAS and oneDNN keep process-lifetime allocations in static
# registries and thread pools that they never free; LeakSanitizer would report them at exit from every
# test binary that touches them. They are not ours, so they are suppressed by library; a leak in jpqd
# code (whose frames are in the test binary) is still reported.
SUPP="$BUILD_DIR/lsan.supp"
cat >"$SUPP" <<'SUPP_EOF'
leak:libtorch_cpu.so
leak:libtorch.so
leak:libc10.so
leak:libgomp.so
leak:libopenblas
leak:libdnnl.so
leak:libprotobuf.so
SUPP_EOF
# halt_on_error / -fno-sanitize-recover (CMakeLists.txt): the first report fails the test.
# detect_stack_use_after_return stays off: LibTorch's and oneDNN's threads use large stacks and it
# multiplies the fake-stack memory per thread on this shared machine.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:check_initialization_order=1:detect_stack_use_after_return=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$(realpath "$SUPP"):print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

if [ -n "${JPQD_SANITIZE_TARGETS:-}" ]; then
  # A subset: build those binaries and run them directly (ctest would list the unbuilt ones as failed).
  read -r -a targets <<<"$JPQD_SANITIZE_TARGETS"
  cmake --build "$BUILD_DIR" --target "${targets[@]}" -j "$JOBS"
  status=0
  for t in "${targets[@]}"; do
    echo "== $t (ASan + UBSan)"
    JPQD_SOURCE_DIR="$PWD" "$BUILD_DIR/tests/$t" || { echo "sanitize: $t FAILED" >&2; status=1; }
  done
  exit $status
fi

cmake --build "$BUILD_DIR" -j "$JOBS"
# Sanitized code runs 2-5x slower: the timeout is 3x scripts/test.sh's.
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 3600 -j 1
