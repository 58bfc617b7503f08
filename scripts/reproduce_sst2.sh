#!/usr/bin/env bash
# The seed's Table 1 in miniature: on SST-2, for each seed,
#   FP32 baseline  - the pretrained student fine-tuned,
#   INT8 QAT       - the same with 8-bit quantization-aware training (configs/bert-base-qat.json),
#   INT8 JPQD      - movement sparsity + QAT + distillation from the teacher in one loop (configs/bert-base-jpqd.json,
#                    the seed's config; its 32x32 blocks fit any head size that is a multiple of 32),
#   INT8 JPQD, λ 0.5 - the same with configs/bert-mini-jpqd.json, whose 10x stronger importance regularization
#                    prunes bert-mini's encoder by about three quarters instead of 29%,
# then: SST-2 dev accuracy of the DEPLOYED model (`jpqd eval` on model.jpqd), model.jpqd / model.onnx size,
# compression vs the FP32 model, throughput at sequence length 128 on jpqd's runtime and on ONNX Runtime
# (rounds interleaved over the four models so machine load hits all alike) and the speedup over FP32.
# Prints a Markdown table (mean ± sample standard deviation over seeds) and writes it to $OUT/table.md, with
# the JPQD runs' figures (sparsity over training, parameters and heads per layer) copied next to it (λ 0.5's
# in figures/bert-mini-jpqd/).
#
#   scripts/reproduce_sst2.sh                  # shipped student and teacher, full SST-2, seeds 42 43 44
#   SAMPLES=8000 EPOCHS=3 scripts/reproduce_sst2.sh
#
# Environment: STUDENT, TEACHER (checkpoint dirs or named shapes), SEEDS, SAMPLES (-1 = all 67,349), EPOCHS,
# SEQ (training and evaluation length, 128), LR, BATCH, DISTILLATION_WEIGHT, PRECISION_FLAGS (e.g. --bf16),
# BENCH_SECONDS (per benchmark run), BENCH_ROUNDS, OUT (runs/reproduce_sst2), BUILD (build).
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENT=${STUDENT:-models/bert-mini-imdb}
TEACHER=${TEACHER:-models/bert-mini8-imdb-sst2}
SEEDS=${SEEDS:-"42 43 44"}
SAMPLES=${SAMPLES:--1}
EPOCHS=${EPOCHS:-5}
SEQ=${SEQ:-128}
LR=${LR:-1e-4}
BATCH=${BATCH:-32}
DISTILLATION_WEIGHT=${DISTILLATION_WEIGHT:-0.9}
PRECISION_FLAGS=${PRECISION_FLAGS:-}
BENCH_SECONDS=${BENCH_SECONDS:-10}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
OUT=${OUT:-runs/reproduce_sst2}
JPQD=${BUILD:-build}/tools/jpqd
ORT=tools/onnxruntime/run_model.js
[ -x "$JPQD" ] || { echo "reproduce_sst2: $JPQD missing: build first (scripts/setup.sh; cmake --build build)" >&2; exit 1; }
mkdir -p "$OUT"
log() { echo "== $(date -u +%H:%M:%S) $*" >&2; }

# Batches padded to their longest sentence (SST-2's average about 13 word pieces), not to $SEQ: the same
# model and metrics, several times less training compute on two cores.
common=(--task_name sst2 --max_seq_length "$SEQ" --pad_to_max_length false --max_train_samples "$SAMPLES"
        --per_device_train_batch_size "$BATCH" --per_device_eval_batch_size 64 --learning_rate "$LR"
        --num_train_epochs "$EPOCHS" --do_train --do_eval --logging_steps 50 --save_strategy no --overwrite_output_dir
        --disable_tqdm)
# shellcheck disable=SC2206
precision=($PRECISION_FLAGS)
distillation=(--teacher_model_name_or_path "$TEACHER" --distillation_weight "$DISTILLATION_WEIGHT"
              --distillation_temperature 2)
variants="fp32 qat jpqd jpqd_mini"

for seed in $SEEDS; do
  for variant in $variants; do
    dir="$OUT/seed$seed/$variant"
    if [ -s "$dir/deployed_eval.json" ]; then log "seed $seed $variant: done already"; continue; fi
    extra=()
    case $variant in
      qat) extra=(--nncf_compression_config configs/bert-base-qat.json) ;;
      jpqd) extra=(--nncf_compression_config configs/bert-base-jpqd.json "${distillation[@]}") ;;
      jpqd_mini) extra=(--nncf_compression_config configs/bert-mini-jpqd.json "${distillation[@]}") ;;
    esac
    log "seed $seed $variant: training"
    mkdir -p "$OUT/seed$seed"
    "$JPQD" glue --model_name_or_path "$STUDENT" --seed "$seed" --output_dir "$dir" "${common[@]}" "${extra[@]}" \
      "${precision[@]}" 2>"$dir.log" || { tail -20 "$dir.log" >&2; exit 1; }
    "$JPQD" eval -m "$dir/model.jpqd" --task_name sst2 --max_seq_length "$SEQ" --output "$dir/deployed_eval.json" \
      2>>"$dir.log" >/dev/null
  done
done

log "throughput at sequence length $SEQ (seed ${SEEDS%% *} models, $BENCH_ROUNDS interleaved rounds)"
first="$OUT/seed${SEEDS%% *}"
for round in $(seq 1 "$BENCH_ROUNDS"); do
  for variant in $variants; do
    "$JPQD" benchmark -m "$first/$variant/model.jpqd" --hint throughput -b 1 --seq_len "$SEQ" -t "$BENCH_SECONDS" \
      --json_stats "$first/$variant/bench_jpqd_$round.json" >/dev/null
    if [ -d tools/onnxruntime/node_modules/onnxruntime-node ]; then
      node "$ORT" --model "$first/$variant/model.onnx" --benchmark --batch 1 --seq_len "$SEQ" --threads "$(nproc)" \
        --time "$BENCH_SECONDS" --vocab 30000 >"$first/$variant/bench_ort_$round.json"
    fi
  done
done

mkdir -p "$OUT/figures/bert-mini-jpqd"
cp "$first/jpqd/report/"*.png "$OUT/figures/" 2>/dev/null || true
cp "$first/jpqd_mini/report/"*.png "$OUT/figures/bert-mini-jpqd/" 2>/dev/null || true
/usr/bin/python3 - "$OUT" "$SEEDS" "$BENCH_ROUNDS" "$SEQ" <<'PY' | tee "$OUT/table.md"
import glob, json, os, statistics, sys
out, seeds, rounds, seq = sys.argv[1], sys.argv[2].split(), int(sys.argv[3]), sys.argv[4]
first = f"{out}/seed{seeds[0]}"

def spread(values):
    mean = statistics.mean(values)
    return f"{100 * mean:.2f} ± {100 * statistics.stdev(values):.2f}" if len(values) > 1 else f"{100 * mean:.2f}"

def throughput(variant, engine):
    files = [f"{first}/{variant}/bench_{engine}_{r}.json" for r in range(1, rounds + 1)]
    if not all(os.path.exists(f) and os.path.getsize(f) for f in files):
        return None
    key = "throughput_sequences_per_s" if engine == "jpqd" else "sequences_per_s"
    return [json.load(open(f))[key] for f in files]

rows, fp32_size = {}, os.path.getsize(f"{first}/fp32/model.jpqd")
speed = {e: throughput("fp32", e) for e in ("jpqd", "ort")}
print(f"SST-2 dev accuracy of the deployed models over seeds {', '.join(seeds)} (mean ± sample std); sizes and "
      f"throughput of the seed-{seeds[0]} models, sequence length {seq} (batch 1, throughput hint), median of paired "
      f"rounds.\n")
print("| model | accuracy % | Δ vs FP32 (points) | model.jpqd MB | compression | jpqd seq/s | speedup | "
      "ONNX Runtime seq/s | speedup |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
fp32_acc = [json.load(open(f"{out}/seed{s}/fp32/deployed_eval.json"))["eval_accuracy"] for s in seeds]
for variant, name in (("fp32", "FP32 baseline"), ("qat", "INT8 QAT"), ("jpqd", "INT8 JPQD"),
                      ("jpqd_mini", "INT8 JPQD, λ 0.5")):
    acc = [json.load(open(f"{out}/seed{s}/{variant}/deployed_eval.json"))["eval_accuracy"] for s in seeds]
    delta = statistics.mean(acc) - statistics.mean(fp32_acc)
    size = os.path.getsize(f"{first}/{variant}/model.jpqd")
    cells = []
    for engine in ("jpqd", "ort"):
        t = throughput(variant, engine)
        if t is None or speed[engine] is None:
            cells += ["-", "-"]
            continue
        paired = statistics.median(a / b for a, b in zip(t, speed[engine]))
        cells += [f"{statistics.median(t):.1f}", f"{paired:.2f}x"]
    print(f"| {name} | {spread(acc)} | {100 * delta:+.2f} | {size / 1e6:.2f} | {fp32_size / size:.2f}x | "
          + " | ".join(cells) + " |")
PY
log "table: $OUT/table.md; figures: $OUT/figures/"
