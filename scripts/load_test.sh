#!/usr/bin/env bash
# Runtime under load: bench/load/runtime_load_test on one model, first in the normal
# Release build for [minutes] (default 3), then a shorter run under AddressSanitizer + UBSan
# (-DJPQD_SANITIZE=ON, as scripts/sanitize.sh) so that a leak or a memory error fails the script.
#
#   scripts/load_test.sh            # 3 minutes normal + 1 minute ASan
#   scripts/load_test.sh 10         # 10 minutes normal
#   scripts/load_test.sh 0          # the sanitizer run only
# Environment (defaults in brackets):
#   JPQD_LOAD_MODEL        model file [a random BERT-mini-shaped INT8 model, pruned, written once]
#   JPQD_LOAD_THREADS [4]  JPQD_LOAD_STREAMS [2]  JPQD_LOAD_SEQ_LEN [64]
#   JPQD_LOAD_ASAN_MINUTES [1]  (0 skips the sanitizer run)
#   JPQD_LOAD_BUILD_DIR [build-load]  JPQD_LOAD_ASAN_BUILD_DIR [build-load-asan]  JPQD_JOBS [1]
# Logs: <build dir>/load_test.log. Exits non-zero on any mismatch, accepted bad request, unexpected
# exception, or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-3}
ASAN_MINUTES=${JPQD_LOAD_ASAN_MINUTES:-1}
BUILD_DIR=${JPQD_LOAD_BUILD_DIR:-build-load}
ASAN_BUILD_DIR=${JPQD_LOAD_ASAN_BUILD_DIR:-build-load-asan}
JOBS=${JPQD_JOBS:-1}
THREADS=${JPQD_LOAD_THREADS:-4}
STREAMS=${JPQD_LOAD_STREAMS:-2}
SEQ_LEN=${JPQD_LOAD_SEQ_LEN:-64}

seconds() { awk -v m="$1" 'BEGIN { printf "%d", m * 60 }'; }

# The model: given, or a random one written by the load test itself on first use (seeded: same file).
model_args() {
  if [ -n "${JPQD_LOAD_MODEL:-}" ]; then
    echo "--model $JPQD_LOAD_MODEL"
  else
    local path="$PWD/$BUILD_DIR/load_test_mini_int8.jpqd"
    if [ -f "$path" ]; then echo "--model $path"; else echo "--make_random $path --shape mini --int8 1"; fi
  fi
}

run_load() {
  local build=$1 secs=$2
  local -a args
  read -r -a args <<<"$(model_args)"
  echo "== $build/bench/runtime_load_test ${args[*]} --threads $THREADS --streams $STREAMS --duration_s $secs --seq_len $SEQ_LEN"
  "$build/bench/runtime_load_test" "${args[@]}" --threads "$THREADS" --streams "$STREAMS" --duration_s "$secs" \
    --seq_len "$SEQ_LEN" 2>&1 | tee "$build/load_test.log"
  return "${PIPESTATUS[0]}"
}

status=0
if [ "$(seconds "$MINUTES")" -gt 0 ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJPQD_BUILD_TRAINING=OFF -DJPQD_BUILD_BENCH=ON >/dev/null
  cmake --build "$BUILD_DIR" --target runtime_load_test -j "$JOBS"
  run_load "$BUILD_DIR" "$(seconds "$MINUTES")" || { echo "load_test: normal run FAILED" >&2; status=1; }
fi

if [ "$(seconds "$ASAN_MINUTES")" -gt 0 ]; then
  cmake -S . -B "$ASAN_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJPQD_SANITIZE=ON \
    -DJPQD_BUILD_TRAINING=OFF -DJPQD_BUILD_BENCH=ON >/dev/null
  cmake --build "$ASAN_BUILD_DIR" --target runtime_load_test -j "$JOBS"
  # Same suppressions as scripts/sanitize.sh: process-lifetime allocations of OpenMP and oneDNN that
  # they never free. Leaks whose allocation stack is only ours are still reported.
  SUPP="$ASAN_BUILD_DIR/lsan.supp"
  printf 'leak:libgomp.so\nleak:libopenblas\nleak:libdnnl.so\n' >"$SUPP"
  export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
  export LSAN_OPTIONS="suppressions=$(realpath "$SUPP"):print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
  run_load "$ASAN_BUILD_DIR" "$(seconds "$ASAN_MINUTES")" || { echo "load_test: ASan run FAILED" >&2; status=1; }
  if grep -q "ERROR: \(Address\|Leak\)Sanitizer\|runtime error:" "$ASAN_BUILD_DIR/load_test.log"; then
    echo "load_test: sanitizer report in $ASAN_BUILD_DIR/load_test.log" >&2
    status=1
  else
    echo "load_test: no AddressSanitizer, LeakSanitizer or UBSan report"
  fi
fi
exit $status
