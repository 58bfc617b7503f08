#!/usr/bin/env bash
# Installs what jpqd needs from Debian (and ONNX Runtime from npm, for validating exports), then
# configures and builds. Idempotent: rerunning only rebuilds what changed.
#
#   scripts/setup.sh                 # training + runtime, Release, into build/
#   JPQD_BUILD_DIR=out scripts/setup.sh -DJPQD_SANITIZE=ON   # extra CMake flags are passed through
#   JPQD_TARGETS=jpqd scripts/setup.sh                       # build only these targets (the demo's way)
# The seconds each phase took go to $BUILD_DIR/setup_times (read by scripts/test.sh's time guard).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

BUILD_DIR=${JPQD_BUILD_DIR:-build}
PACKAGES=(
  build-essential cmake ninja-build pkg-config git ccache
  libtorch-dev libopenblas-dev libgloo-dev         # LibTorch; OpenBLAS or GEMMs run ~25x slower
  libdnnl-dev                                       # oneDNN, the runtime's kernels
  libonnx-dev libprotobuf-dev protobuf-compiler     # ONNX export
  nlohmann-json3-dev libcli11-dev libutf8proc-dev
  libre2-dev                                        # compression configs' "{re}" scopes
  libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox                                       # compression report figures
  python3 python3-torch python3-numpy               # independent reference checks in tests
  sentencepiece python3-sentencepiece python3-protobuf   # SentencePiece's trainer and encoder: tokenizer tests
  pybind11-dev python3-dev python3-pytest           # the Python package (python/) and its tests
  python3-pip python3-setuptools python3-wheel      # `pip install ./python`, offline
)
# onnxruntime-node (a real ONNX Runtime, for parity tests and peer benchmarks) needs node and npm; a
# machine with NodeSource's nodejs already has both, and Debian's npm conflicts with it.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -d tools/onnxruntime/node_modules/onnxruntime-node ]; then
  echo "setup: installing onnxruntime-node (npm, --ignore-scripts)" >&2
  (cd tools/onnxruntime && npm install --ignore-scripts --no-audit --no-fund --loglevel=error) ||
    echo "setup: warning: onnxruntime-node could not be installed; ONNX Runtime parity tests will be skipped" >&2
fi
# Hugging Face tokenizers (a native build of the Rust library) and GPT-2's BPE files: the oracle that the
# tokenizer.json tests compare against.
if [ ! -d tools/tokenizers_oracle/node_modules/@anush008/tokenizers ]; then
  echo "setup: installing the tokenizers oracle (npm, --ignore-scripts)" >&2
  (cd tools/tokenizers_oracle && npm install --ignore-scripts --no-audit --no-fund --loglevel=error) ||
    echo "setup: warning: the tokenizers oracle could not be installed; its comparison test will be skipped" >&2
fi

installed=$SECONDS
# ccache with a cache inside the checkout (unless CCACHE_DIR says otherwise): a clean clone starts cold, the
# runtime-only tree of scripts/test.sh reuses the full tree's LibTorch-free objects, and rebuilds are quick.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_DIR=${CCACHE_DIR:-$PWD/.ccache}
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@"
configured=$SECONDS
# Two cores, LibTorch headers: more than two parallel compiles only swaps.
targets=()
for t in ${JPQD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j "${JPQD_JOBS:-2}" "${targets[@]}"
printf 'install=%d\nconfigure=%d\nbuild=%d\n' $((installed - started)) $((configured - installed)) \
  $((SECONDS - configured)) >"$BUILD_DIR/setup_times"
