#!/usr/bin/env bash
# The main job on the embedded default: installs and builds (scripts/setup.sh), then on the shipped SST-2
#   1. fine-tunes the shipped pretrained student models/bert-mini-imdb as the FP32 baseline,
#   2. runs JPQD on the same student: movement sparsity + 8-bit QAT + distillation from the shipped SST-2 teacher
#      models/bert-mini8-imdb-sst2, in one loop (configs/bert-base-jpqd.json, the seed's config: warm-up in
#      epoch 1, heads and FFN neurons resolved at the start of epoch 2, then fine-tuning with frozen masks),
#   3. exports both (model.jpqd + model.onnx), evaluates the DEPLOYED models with `jpqd eval`, benchmarks them
#      side by side on jpqd's runtime and prints the result table.
# Both shipped models were pretrained here on IMDB reviews (24.6 M tokens, 8.2 M more for the teacher; see their
# model cards), far less than BERT's pretraining, so the accuracies are those of small, lightly pretrained models.
#   scripts/demo.sh            # minutes: 8,000 training sentences, sequence length 64
#   scripts/demo.sh --full     # all 67,349 sentences, sequence length 128 (hours on two cores)
set -euo pipefail
cd "$(dirname "$0")/.."
samples=8000 seq=64 epochs=3
if [ "${1:-}" = "--full" ]; then samples=-1 seq=128; fi
student=models/bert-mini-imdb teacher=models/bert-mini8-imdb-sst2
for model in "$student" "$teacher"; do
  [ -f "$model/config.json" ] || { echo "demo: the shipped model $model is missing" >&2; exit 1; }
done
# The demo runs only the jpqd binary: build just that (not the tests and benchmarks).
JPQD_TARGETS=${JPQD_TARGETS:-jpqd} scripts/setup.sh
JPQD=${JPQD_BUILD_DIR:-build}/tools/jpqd
out=${JPQD_DEMO_DIR:-runs/demo}
mkdir -p "$out"
# Batches padded to their longest sentence, not to $seq: several times less training compute on SST-2.
common=(--model_name_or_path "$student" --task_name sst2 --max_seq_length "$seq" --pad_to_max_length false
        --max_train_samples "$samples" --per_device_train_batch_size 32 --per_device_eval_batch_size 64
        --learning_rate 2e-4 --num_train_epochs "$epochs" --do_train --do_eval --logging_steps 50
        --save_strategy no --seed 42 --overwrite_output_dir --disable_tqdm)

echo "== 1/3 FP32 baseline: $student fine-tuned" >&2
"$JPQD" glue --output_dir "$out/fp32" "${common[@]}"
echo "== 2/3 JPQD: $student with movement sparsity + QAT + distillation from $teacher" >&2
"$JPQD" glue --teacher_model_name_or_path "$teacher" --nncf_compression_config configs/bert-base-jpqd.json \
  --distillation_weight 0.9 --distillation_temperature 2 --output_dir "$out/jpqd" "${common[@]}"

echo "== 3/3 deployed accuracy and speed" >&2
for run in fp32 jpqd; do
  "$JPQD" eval -m "$out/$run/model.jpqd" --task_name sst2 --max_seq_length "$seq" --output "$out/$run/deployed_eval.json" >/dev/null
done
# Side by side, alternating, so both see the same machine load.
for round in 1 2 3; do
  for run in fp32 jpqd; do
    "$JPQD" benchmark -m "$out/$run/model.jpqd" --hint throughput -b 8 --seq_len "$seq" -t 5 \
      --json_stats "$out/$run/benchmark_$round.json" >/dev/null
  done
done
/usr/bin/python3 - "$out" "$student" "$teacher" <<'PY'
import json, os, statistics, sys
out, student, teacher = sys.argv[1], os.path.basename(sys.argv[2]), sys.argv[3]
def row(run):
    acc = json.load(open(f"{out}/{run}/deployed_eval.json"))["eval_accuracy"]
    size = os.path.getsize(f"{out}/{run}/model.jpqd")
    tput = [json.load(open(f"{out}/{run}/benchmark_{r}.json"))["throughput_sequences_per_s"] for r in (1, 2, 3)]
    return acc, size, tput
fp32, jpqd = row("fp32"), row("jpqd")
print("| model | SST-2 dev accuracy (deployed) | model.jpqd bytes | compression vs FP32 | sequences/s | speedup |")
print("|---|---:|---:|---:|---:|---:|")
for name, (acc, size, tput) in ((f"FP32 baseline ({student})", fp32), (f"INT8 JPQD ({student})", jpqd)):
    speedup = statistics.median(a / b for a, b in zip(tput, fp32[2]))  # paired rounds
    print(f"| {name} | {acc * 100:.2f}% | {size:,} | {fp32[1] / size:.2f}x | {statistics.median(tput):.1f} | "
          f"{speedup:.2f}x |")
teacher_acc = json.load(open(f"{teacher}/shipped_check.json"))["eval_accuracy"]
print(f"\nTeacher {os.path.basename(teacher)}: {teacher_acc * 100:.2f}% "
      "(FP32, fine-tuned on all of SST-2's training set).")
PY
echo "Runs, logs, exported models and compression reports are in $out/ (see $out/jpqd/report/report.md)." >&2
