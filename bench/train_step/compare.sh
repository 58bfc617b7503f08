#!/usr/bin/env bash
# Training-step throughput, side by side in one run:
#   PyTorch eager (Debian python3-torch, HF-semantics BERT)  vs  jpqd plain fine-tuning,
#   jpqd with movement sparsity (in warm-up: masks, importance loss)  vs  jpqd plain,
#   jpqd full JPQD step (movement sparsity + QAT + distillation from a teacher)  vs  jpqd plain,
# for the bert-mini and bert-base shapes at sequence length 128. The engines are interleaved
# (round 1: every case once, round 2: every case again, ...) and ratios are taken within a round, then
# the median over rounds, so load from other users of the machine hits all cases alike.
#
# Threading: PyTorch and jpqd share Debian's LibTorch with libgomp (OpenMP) for its own ops and the
# pthread build of OpenBLAS (its own thread pool) for GEMMs. PyTorch eager and jpqd plain are run twice:
# with the environment as it is ("default") and with OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1
# ("passive") so the two thread pools do not spin against each other on 2 cores. The compression cases
# run in the passive setting only (the default one is too noisy on a shared machine to resolve 15%) and
# are compared with jpqd plain in the same setting; movement sparsity + QAT without a teacher separates
# the cost of the compression hooks from the teacher's forward pass.
#
#   bench/train_step/compare.sh [rounds]          (from the repository root; default 3 rounds)
#
# Environment: BUILD (build dir, default build), THREADS (2), MINI_BATCH (32), MINI_STEPS (6),
# BASE_BATCH (8), BASE_STEPS (3), BASE_ROUNDS (rounds for bert-base, default all), SHAPES
# ("bert-mini bert-base"), OUT (results dir, default /tmp/jpqd_train_step), PYTHON (/usr/bin/python3,
# which has torch), BF16 (1: also time jpqd plain and full JPQD under bf16 autocast; default: when the CPU
# has AVX512-BF16).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
BASE_ROUNDS=${BASE_ROUNDS:-$ROUNDS}  # bert-base steps are slow: fewer rounds keep the run short
BUILD=${BUILD:-build}
THREADS=${THREADS:-2}
SHAPES=${SHAPES:-"bert-mini bert-base"}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-/tmp/jpqd_train_step}
# bf16 autocast cases (--fp16/--bf16) where the CPU has AVX512-BF16, unless BF16=0.
BF16=${BF16:-$(grep -qw avx512_bf16 /proc/cpuinfo && echo 1 || echo 0)}
BENCH="$BUILD/bench/train_step/bench_train_step"
CONFIGS=bench/train_step/configs
[[ -x "$BENCH" ]] || { echo "compare.sh: $BENCH missing: ninja -C $BUILD bench_train_step" >&2; exit 1; }
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"

shape_args() {  # batch, steps, warm-up steps and teacher per student shape
  case "$1" in
    bert-base) echo "${BASE_BATCH:-8} ${BASE_STEPS:-3} 1 bert-base" ;;
    *) echo "${MINI_BATCH:-32} ${MINI_STEPS:-6} 2 bert-small" ;;
  esac
}

# record ROUND SHAPE CASE ENVNAME -- command...: runs it and appends its JSON line, labelled.
record() {
  local round=$1 shape=$2 case=$3 envname=$4
  shift 5
  local line
  if ! line=$("$@" 2>"$OUT/last_stderr.txt" | tail -n 1); then
    echo "compare.sh: $case ($shape, $envname) failed:" >&2
    cat "$OUT/last_stderr.txt" >&2
    exit 1
  fi
  printf '{"round": %d, "shape": "%s", "case": "%s", "env": "%s", "result": %s}\n' \
    "$round" "$shape" "$case" "$envname" "$line" >>"$RESULTS"
  echo "  round $round $shape $case [$envname]: $(echo "$line" | grep -o '"tokens_per_s": [0-9.]*')" >&2
}

PASSIVE=(env OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1)
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load: $(uptime | sed 's/.*load average/load average/')" >&2
for round in $(seq 1 "$ROUNDS"); do
  for shape in $SHAPES; do
    [[ "$shape" == bert-base && "$round" -gt "$BASE_ROUNDS" ]] && continue
    read -r batch steps warmup teacher < <(shape_args "$shape")
    common=(--model "$shape" --batch "$batch" --seq 128 --steps "$steps" --warmup "$warmup" --threads "$THREADS")
    record "$round" "$shape" pytorch_eager default -- "$PYTHON" bench/train_step/pytorch_bert_train_step.py "${common[@]}"
    record "$round" "$shape" jpqd_plain default -- "$BENCH" "${common[@]}"
    record "$round" "$shape" pytorch_eager passive -- "${PASSIVE[@]}" "$PYTHON" \
      bench/train_step/pytorch_bert_train_step.py "${common[@]}"
    record "$round" "$shape" jpqd_plain passive -- "${PASSIVE[@]}" "$BENCH" "${common[@]}"
    record "$round" "$shape" jpqd_movement_sparsity passive -- "${PASSIVE[@]}" "$BENCH" "${common[@]}" \
      --config "$CONFIGS/movement_sparsity_warmup.json"
    record "$round" "$shape" jpqd_movement_sparsity_qat passive -- "${PASSIVE[@]}" "$BENCH" "${common[@]}" \
      --config "$CONFIGS/jpqd_warmup.json"
    record "$round" "$shape" jpqd_full_jpqd passive -- "${PASSIVE[@]}" "$BENCH" "${common[@]}" \
      --config "$CONFIGS/jpqd_warmup.json" --teacher "$teacher"
    if [[ "$BF16" == 1 ]]; then
      record "$round" "$shape" jpqd_plain_bf16 passive -- "${PASSIVE[@]}" "$BENCH" "${common[@]}" --bf16
      record "$round" "$shape" jpqd_full_jpqd_bf16 passive -- "${PASSIVE[@]}" "$BENCH" "${common[@]}" \
        --config "$CONFIGS/jpqd_warmup.json" --teacher "$teacher" --bf16
    fi
  done
done
echo "# done $(date -u '+%H:%M UTC'), load: $(uptime | sed 's/.*load average/load average/')" >&2
"$PYTHON" bench/train_step/summarize.py "$RESULTS"
