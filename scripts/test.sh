#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite (unit, parity, integration).
#   scripts/test.sh                 # Release build in build/
#   JPQD_BUILD_DIR=build-asan scripts/test.sh -DJPQD_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${JPQD_BUILD_DIR:-build}
scripts/setup.sh "$@"
# Tests use both cores through their own thread settings; run them one at a time so timings of
# threaded code do not fight each other.
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 1200 -j 1
