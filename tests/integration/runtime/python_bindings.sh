# The Python package (python/, README "Python"), tested with pytest (tests/python/):
#  - runtime-only build: `pip install ./python` exactly as a user runs it (offline, Debian's setuptools), into a
#    private directory, then the tests against that installation: no LibTorch anywhere;
#  - full build: the package CMake built in <build>/python, with its training module; the shipped SST-2 model
#    (models/bert-mini8-imdb-sst2) is exported to model.jpqd and evaluated by `jpqd eval`, whose predictions
#    on the SST-2 dev set the package must reproduce, and the training commands run from Python.
# Exits 77 (skipped) without python3-pytest, python3-numpy or pybind11-dev, and in a sanitizer build.
source "$(dirname "$0")/../lib.bash"
BUILD=$(cd "$(dirname "$JPQD")/.." && pwd)
PY=/usr/bin/python3
$PY -c 'import pytest, numpy' 2>/dev/null || { echo "python3-pytest or python3-numpy missing: skipped"; exit 77; }
[ -d /usr/lib/cmake/pybind11 ] || [ -d /usr/share/cmake/pybind11 ] || { echo "pybind11-dev missing: skipped"; exit 77; }
# A sanitizer build's libraries need their runtime loaded first, which neither a plain consumer nor python3 does.
if grep -q '^JPQD_SANITIZE:BOOL=ON$' "$BUILD/CMakeCache.txt"; then echo "sanitizer build: skipped"; exit 77; fi
export JPQD_SOURCE_DIR=$SRC JPQD_BINARY=$JPQD

if grep -q '^JPQD_BUILD_TRAINING:BOOL=ON$' "$BUILD/CMakeCache.txt"; then
  [ -f "$BUILD/python/jpqd/__init__.py" ] && ls "$BUILD"/python/jpqd/_jpqd_training.*.so >/dev/null 2>&1 ||
    fail "the build has no Python package with its training module in $BUILD/python"
  export PYTHONPATH=$BUILD/python
  "$JPQD" export "$SRC/models/bert-mini8-imdb-sst2" --output_dir "$WORK/sst2" --no_onnx >"$WORK/export.log" 2>&1 ||
    { tail -20 "$WORK/export.log"; fail "exporting the shipped SST-2 model"; }
  "$JPQD" eval -m "$WORK/sst2/model.jpqd" --task_name sst2 --threads 1 --predictions_file "$WORK/eval.jsonl" \
    >"$WORK/eval.json" 2>"$WORK/eval.log" || { tail -20 "$WORK/eval.log"; fail "jpqd eval of the shipped SST-2 model"; }
  export JPQD_SST2_MODEL=$WORK/sst2/model.jpqd JPQD_SST2_EVAL=$WORK/eval.jsonl
  # Training from Python as the jpqd binary trains (see jpqd/training.h).
  export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
else
  # Objects the runtime-only tree compiled come from ccache (scripts/setup.sh's cache in the checkout).
  [ -n "${CCACHE_DIR:-}" ] || [ ! -d "$SRC/.ccache" ] || export CCACHE_DIR=$SRC/.ccache
  JPQD_PYTHON_BUILD_DIR=$WORK/pip-build $PY -m pip install --no-deps --no-index --target "$WORK/site" "$SRC/python" \
    >"$WORK/pip.log" 2>&1 || { tail -30 "$WORK/pip.log"; fail "pip install $SRC/python"; }
  ! ls "$WORK"/site/jpqd/_jpqd_training.*.so >/dev/null 2>&1 || fail "pip installed the training module by default"
  if ldd "$WORK"/site/jpqd/*.so* | grep -Ei 'libtorch|libc10'; then fail "the pip-installed package links LibTorch"; fi
  export PYTHONPATH=$WORK/site
fi
cd "$WORK"  # the package must come from PYTHONPATH, not from the source tree
$PY -m pytest -q -p no:cacheprovider "$SRC/tests/python" -rs || fail "pytest tests/python"
