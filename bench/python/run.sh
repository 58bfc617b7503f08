#!/usr/bin/env bash
# The Python package's costs (docs/RESULTS.md, "Python bindings"):
#  1. overhead per call: jpqd.Model.predict on one short text (overhead.py) against the same Session::predict
#     call made from C++ through the public API (cpp_predict.cc), same model and threads;
#  2. throughput: jpqd.Model.predict on the 872 SST-2 dev sentences (text in, tokenization included) and
#     Model.run on the same sentences tokenized beforehand, against ONNX Runtime (onnxruntime-node) running
#     exactly those token-id batches on the model.onnx of the same export, same threads.
# Models: the shipped SST-2 model exported by `jpqd export` (FP32 dense, model.jpqd + model.onnx), and when
# PEER_MODELS holds them, bench/peers' random bert-mini exports (int8_dense, int8_pruned). Engines are
# interleaved round by round; run.sh prints medians over rounds (summarize.py).
#
#   bench/python/run.sh            (from the repository root, after a full build in $BUILD)
#
# Environment: BUILD (default build), THREADS (1), ROUNDS (3), SECONDS_PER (3, per throughput measurement),
# BATCHES ("1 32"), ITERATIONS (2000 calls per overhead measurement), PEER_MODELS (default
# /tmp/jpqd_peer_models/bert-mini, made by bench/peers/run.sh), OUT (default /tmp/jpqd_python_bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=$(cd "${BUILD:-build}" && pwd)
THREADS=${THREADS:-1}
ROUNDS=${ROUNDS:-3}
SECONDS_PER=${SECONDS_PER:-3}
BATCHES=${BATCHES:-"1 32"}
ITERATIONS=${ITERATIONS:-2000}
PEER_MODELS=${PEER_MODELS:-/tmp/jpqd_peer_models/bert-mini}
OUT=${OUT:-/tmp/jpqd_python_bench}
PY=/usr/bin/python3
TEXT="a gripping, funny film"
mkdir -p "$OUT"
[ -f "$BUILD/python/jpqd/__init__.py" ] || { echo "run.sh: no Python package in $BUILD/python (pybind11-dev?)" >&2; exit 1; }
export PYTHONPATH=$BUILD/python

g++ -O2 -std=c++17 -Iinclude bench/python/cpp_predict.cc -o "$OUT/cpp_predict" -L"$BUILD/src/api" -ljpqd_runtime \
  -Wl,-rpath,"$BUILD/src/api"
if [ ! -f "$OUT/sst2/model.onnx" ]; then
  "$BUILD/tools/jpqd" export models/bert-mini8-imdb-sst2 --output_dir "$OUT/sst2" >"$OUT/export.log" 2>&1 ||
    { tail -20 "$OUT/export.log" >&2; exit 1; }
fi
models=("sst2:$OUT/sst2")
for variant in int8_dense int8_pruned; do
  [ -f "$PEER_MODELS/$variant/model.onnx" ] && models+=("bert-mini-$variant:$PEER_MODELS/$variant")
done

RESULTS=$OUT/results.jsonl
: >"$RESULTS"
label() {  # label <json line> <fields...>: the line with the fields added
  $PY -c 'import json, sys; d = json.loads(sys.argv[1]); d.update(json.loads(sys.argv[2])); print(json.dumps(d))' "$1" "$2"
}
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, ISA $($PY -c 'import jpqd; print(jpqd.effective_isa())'), $(uptime | sed 's/.*load average/load average/')" | tee "$OUT/machine.txt" >&2
for round in $(seq 1 "$ROUNDS"); do
  # Overhead: the two sides back to back, in alternating order; the checked-in tiny model too, whose call
  # costs little besides the fixed part.
  for entry in "tiny-int8:tests/fixtures/runtime/tiny_int8_cls.jpqd" "${models[@]}"; do
    name=${entry%%:*} file=${entry#*:}
    [ -d "$file" ] && file=$file/model.jpqd
    sides=(cpp python); [ $((round % 2)) = 0 ] && sides=(python cpp)
    for side in "${sides[@]}"; do
      if [ "$side" = cpp ]; then
        line=$("$OUT/cpp_predict" "$file" "$TEXT" "$THREADS" "$ITERATIONS" 200)
      else
        line=$($PY bench/python/overhead.py "$file" "$TEXT" "$THREADS" "$ITERATIONS" 200)
      fi
      label "$line" "{\"kind\": \"overhead\", \"round\": $round, \"model\": \"$name\", \"threads\": $THREADS}" >>"$RESULTS"
    done
  done
  for entry in "${models[@]}"; do
    name=${entry%%:*} dir=${entry#*:}
    for batch in $BATCHES; do
      line=$($PY bench/python/throughput.py "$dir/model.jpqd" data/glue/SST-2/dev.tsv "$batch" "$THREADS" 1 \
        "$SECONDS_PER" "$OUT/ids.json")
      label "$line" "{\"kind\": \"throughput\", \"engine\": \"jpqd\", \"round\": $round, \"model\": \"$name\"}" >>"$RESULTS"
      line=$(node bench/python/ort_throughput.js "$dir/model.onnx" "$OUT/ids.json" "$THREADS" "$SECONDS_PER")
      label "$line" "{\"kind\": \"throughput\", \"round\": $round, \"model\": \"$name\", \"batch\": $batch}" >>"$RESULTS"
      echo "  round $round $name batch $batch done" >&2
    done
  done
done
$PY bench/python/summarize.py "$RESULTS"
