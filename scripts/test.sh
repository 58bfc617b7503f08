#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite (unit, parity, integration), then proves the
# runtime builds and passes its tests without LibTorch (-DJPQD_BUILD_TRAINING=OFF). Ends with the time guard:
# how long each phase took and the ten slowest tests (budget: 25 minutes on 2 cores, docs/RESULTS.md).
#   scripts/test.sh                 # Release build in build/, runtime-only build in build-runtime/
#   JPQD_BUILD_DIR=build-asan scripts/test.sh -DJPQD_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${JPQD_BUILD_DIR:-build}
RUNTIME_BUILD_DIR=${BUILD_DIR}-runtime
JOBS=${JPQD_JOBS:-2}
# Two tests at a time: with tiny models, process start-up and file I/O, one test rarely keeps both cores busy,
# so pairs finish sooner (docs/RESULTS.md, "CI time"). ctest starts the costliest first (COST in
# tests/CMakeLists.txt) so that the long integration tests do not finish alone.
run_tests() {  # run_tests <build dir>
  ctest --test-dir "$1" --output-on-failure --timeout 1200 -j "$JOBS" --output-junit ctest.xml
}

rm -f "$BUILD_DIR/ctest.xml" "$RUNTIME_BUILD_DIR/ctest.xml"
scripts/setup.sh "$@"
phases=()
while IFS= read -r line; do phases+=(--phase "$line"); done <"$BUILD_DIR/setup_times"
status=0
start=$SECONDS
run_tests "$BUILD_DIR" || status=$?
phases+=(--phase "tests=$((SECONDS - start))")

# The deployment world on its own. Only a tree configured without Torch shows that nothing in it needs Torch:
# in the full build every target could reach LibTorch through a shared dependency without anyone noticing.
if [ "$status" -eq 0 ]; then
  start=$SECONDS
  JPQD_BUILD_DIR=$RUNTIME_BUILD_DIR scripts/setup.sh -DJPQD_BUILD_TRAINING=OFF "$@"
  phases+=(--phase "runtime-only build=$((SECONDS - start))")
  libs=$(ldd "$RUNTIME_BUILD_DIR/tools/jpqd")  # fails the script when the binary is missing or not dynamic
  if grep -Ei 'libtorch|libc10' <<<"$libs"; then
    echo "test: $RUNTIME_BUILD_DIR/tools/jpqd links LibTorch (above) although training is off" >&2
    exit 1
  fi
  start=$SECONDS
  # The tokenizer is the same source compiled again without Torch, and the full tree has just compared it
  # with Hugging Face tokenizers on the whole sample; here a fifth of it shows the Torch-free build agrees.
  TOKENIZERS_ORACLE_SINGLES=1200 TOKENIZERS_ORACLE_PAIRS=800 run_tests "$RUNTIME_BUILD_DIR" || status=$?
  phases+=(--phase "runtime-only tests=$((SECONDS - start))")
fi
/usr/bin/python3 scripts/test_times.py "${phases[@]}" --junit "$BUILD_DIR/ctest.xml" \
  --junit "$RUNTIME_BUILD_DIR/ctest.xml" || true
exit "$status"
