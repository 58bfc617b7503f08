#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite (unit, parity, integration), then proves the
# runtime builds and passes its tests without LibTorch (-DJPQD_BUILD_TRAINING=OFF, issue 7).
#   scripts/test.sh                 # Release build in build/, runtime-only build in build-runtime/
#   JPQD_BUILD_DIR=build-asan scripts/test.sh -DJPQD_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${JPQD_BUILD_DIR:-build}
RUNTIME_BUILD_DIR=${BUILD_DIR}-runtime
scripts/setup.sh "$@"
# Tests use both cores through their own thread settings; run them one at a time so timings of
# threaded code do not fight each other.
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 1200 -j 1

# The deployment world on its own. Only a tree configured without Torch shows that nothing in it needs Torch:
# in the full build every target could reach LibTorch through a shared dependency without anyone noticing.
cmake -S . -B "$RUNTIME_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJPQD_BUILD_TRAINING=OFF "$@"
cmake --build "$RUNTIME_BUILD_DIR" -j "${JPQD_JOBS:-2}"
libs=$(ldd "$RUNTIME_BUILD_DIR/tools/jpqd")  # fails the script when the binary is missing or not dynamic
if grep -Ei 'libtorch|libc10' <<<"$libs"; then
  echo "test: $RUNTIME_BUILD_DIR/tools/jpqd links LibTorch (above) although training is off" >&2
  exit 1
fi
ctest --test-dir "$RUNTIME_BUILD_DIR" --output-on-failure --timeout 1200 -j 1
