#!/usr/bin/env bash
# Peer comparison of inference engines on the SAME models:
#   jpqd's runtime (`jpqd benchmark`, hint latency = one request on all threads)
#   ONNX Runtime 1.30 (onnxruntime-node, tools/onnxruntime/run_model.js, same model.onnx, same threads)
#   LibTorch FP32 (jpqd's training model in eval mode under NoGradGuard; FP32 dense only)
# for FP32 dense, INT8 dense and INT8 pruned exports of random bert-mini and bert-base models
# (bench/peers/make_peer_models.cc), sequence length 128, batch 1 and 8. The engines are interleaved
# (each round runs every engine on every model once, back to back) and ratios are taken within a round,
# then the median over rounds. Finally bench_int8_linear compares our INT8 Linear with the bare oneDNN
# INT8 GEMM (repetitions interleaved at random), once.
#
#   bench/peers/run.sh [seconds per measurement, default 5]      (from the repository root)
#
# Environment: BUILD (default build), THREADS (2), ROUNDS (3), SHAPES ("bert-mini bert-base"),
# BATCHES ("1 8"), MODELS (where the models go, default /tmp/jpqd_peer_models; reused when present),
# OUT (results, default /tmp/jpqd_peers), LINEAR (1: also run bench_int8_linear; 0: skip),
# LINEAR_REPS (9), LINEAR_MIN_TIME (0.2 s per repetition).
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER=${1:-5}
BUILD=${BUILD:-build}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
SHAPES=${SHAPES:-"bert-mini bert-base"}
BATCHES=${BATCHES:-"1 8"}
MODELS=${MODELS:-/tmp/jpqd_peer_models}
OUT=${OUT:-/tmp/jpqd_peers}
LINEAR=${LINEAR:-1}
VARIANTS="fp32_dense int8_dense int8_pruned"
JPQD="$BUILD/tools/jpqd"
for bin in "$JPQD" "$BUILD/bench/peers/make_peer_models" "$BUILD/bench/peers/bench_libtorch_infer" \
  "$BUILD/bench/bench_int8_linear"; do
  [[ -x "$bin" ]] || { echo "run.sh: $bin missing: ninja -C $BUILD $(basename "$bin")" >&2; exit 1; }
done
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"

for shape in $SHAPES; do
  if [[ ! -f "$MODELS/$shape/int8_pruned/model.onnx" ]]; then
    echo "# making the $shape peer models in $MODELS/$shape" >&2
    "$BUILD/bench/peers/make_peer_models" --shape "$shape" --out "$MODELS/$shape" \
      --vocab data/vocab/bert-base-uncased --jpqd_config configs/bert-base-jpqd.json \
      --quant_config bench/peers/quantization.json >"$OUT/make_$shape.log" 2>&1 ||
      { cat "$OUT/make_$shape.log" >&2; exit 1; }
  fi
done

# record ROUND SHAPE VARIANT ENGINE BATCH -- command...: runs it and appends sequences/s, labelled.
record() {
  local round=$1 shape=$2 variant=$3 engine=$4 batch=$5
  shift 6
  local seqs
  rm -f "$OUT/jpqd_stats.json"
  if ! "$@" >"$OUT/last_stdout.txt" 2>"$OUT/last_stderr.txt"; then
    echo "run.sh: $engine on $shape/$variant batch $batch failed:" >&2
    cat "$OUT/last_stderr.txt" >&2
    exit 1
  fi
  case "$engine" in
    jpqd) seqs=$(grep -o '"throughput_sequences_per_s": [0-9.e+-]*' "$OUT/jpqd_stats.json" | awk '{print $2}') ;;
    *) seqs=$(tail -n 1 "$OUT/last_stdout.txt" | grep -o '"sequences_per_s": *[0-9.e+-]*' | sed 's/.*: *//') ;;
  esac
  [[ -n "$seqs" ]] || { echo "run.sh: no throughput from $engine" >&2; cat "$OUT/last_stdout.txt" >&2; exit 1; }
  printf '{"round": %d, "shape": "%s", "variant": "%s", "engine": "%s", "batch": %d, "threads": %d, "seconds": %s, "sequences_per_s": %s}\n' \
    "$round" "$shape" "$variant" "$engine" "$batch" "$THREADS" "$SECONDS_PER" "$seqs" >>"$RESULTS"
  echo "  round $round $shape $variant b$batch $engine: $seqs seq/s" >&2
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load: $(uptime | sed 's/.*load average/load average/')" >&2
for round in $(seq 1 "$ROUNDS"); do
  for shape in $SHAPES; do
    for batch in $BATCHES; do
      for variant in $VARIANTS; do
        dir="$MODELS/$shape/$variant"
        record "$round" "$shape" "$variant" jpqd "$batch" -- "$JPQD" benchmark -m "$dir/model.jpqd" --hint latency \
          --threads "$THREADS" -b "$batch" --seq_len 128 -t "$SECONDS_PER" --json_stats "$OUT/jpqd_stats.json"
        record "$round" "$shape" "$variant" onnxruntime "$batch" -- node tools/onnxruntime/run_model.js --benchmark \
          --model "$dir/model.onnx" --batch "$batch" --seq_len 128 --threads "$THREADS" --time "$SECONDS_PER" --warmup 2
        if [[ "$variant" == fp32_dense ]]; then
          # OMP_WAIT_POLICY=PASSIVE: LibTorch's OpenMP threads otherwise spin against OpenBLAS's own.
          record "$round" "$shape" "$variant" libtorch "$batch" -- env OMP_WAIT_POLICY=PASSIVE \
            "$BUILD/bench/peers/bench_libtorch_infer" --shape "$shape" -b "$batch" --seq_len 128 \
            --threads "$THREADS" -t "$SECONDS_PER"
        fi
      done
    done
  done
done
echo "# done $(date -u '+%H:%M UTC'), load: $(uptime | sed 's/.*load average/load average/')" >&2

LINEAR_JSON=()
if [[ "$LINEAR" == 1 ]]; then
  # Once with 1 thread (no other process can stall a barrier: stable on a shared machine) and once with
  # $THREADS threads (what the engine uses).
  for t in 1 "$THREADS"; do
    echo "# bench_int8_linear, $t thread(s), ${LINEAR_REPS:-9} repetitions, random interleaving" >&2
    OMP_NUM_THREADS=$t "$BUILD/bench/bench_int8_linear" --benchmark_min_time="${LINEAR_MIN_TIME:-0.2}" \
      --benchmark_repetitions="${LINEAR_REPS:-9}" --benchmark_enable_random_interleaving=true \
      --benchmark_out="$OUT/int8_linear_t$t.json" --benchmark_out_format=json >/dev/null 2>"$OUT/int8_linear.stderr"
    LINEAR_JSON+=("$OUT/int8_linear_t$t.json")
  done
fi
python3 bench/peers/summarize.py "$RESULTS" "${LINEAR_JSON[@]}"
