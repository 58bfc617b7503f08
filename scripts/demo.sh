#!/usr/bin/env bash
# The main job on the embedded default: installs and builds (scripts/setup.sh), then on the shipped SST-2
#   1. fine-tunes a teacher (bert-mini shape) and an FP32 baseline student (bert-tiny shape),
#   2. runs JPQD on the student: movement sparsity + 8-bit QAT + distillation from the teacher in one loop
#      (configs/tiny-smoke-jpqd.json: warm-up in epoch 1, structured masking at the start of epoch 2),
#   3. exports both students (model.jpqd + model.onnx), evaluates the DEPLOYED models with `jpqd eval`,
#      benchmarks them on jpqd's runtime, and prints the result table.
# No pretrained weights can be downloaded here and none are shipped yet, so the models start from random
# initialisation: accuracies are those of small models trained from scratch, not of pretrained BERTs.
#   scripts/demo.sh            # minutes: 8,000 training sentences, sequence length 64
#   scripts/demo.sh --full     # all 67,349 sentences, sequence length 128 (hours on two cores)
set -euo pipefail
cd "$(dirname "$0")/.."
samples=8000 seq=64 epochs=3
if [ "${1:-}" = "--full" ]; then samples=-1 seq=128; fi
scripts/setup.sh
JPQD=${JPQD_BUILD_DIR:-build}/tools/jpqd
out=${JPQD_DEMO_DIR:-runs/demo}
mkdir -p "$out"
# Batches padded to their longest sentence, not to $seq: several times less training compute on SST-2.
common=(--task_name sst2 --max_seq_length "$seq" --pad_to_max_length false --max_train_samples "$samples"
        --per_device_train_batch_size 32 --per_device_eval_batch_size 64 --logging_steps 50 --save_strategy no
        --seed 42 --overwrite_output_dir --disable_tqdm)

echo "== 1/3 teacher (bert-mini) and FP32 baseline (bert-tiny)" >&2
"$JPQD" glue --model_name_or_path bert-mini --do_train --do_eval --learning_rate 5e-4 --num_train_epochs "$epochs" \
  --output_dir "$out/teacher" "${common[@]}"
"$JPQD" glue --model_name_or_path bert-tiny --do_train --do_eval --learning_rate 1e-3 --num_train_epochs "$epochs" \
  --output_dir "$out/fp32" "${common[@]}"
echo "== 2/3 JPQD student (bert-tiny): movement sparsity + QAT + distillation" >&2
"$JPQD" glue --model_name_or_path bert-tiny --teacher_model_name_or_path "$out/teacher" \
  --nncf_compression_config configs/tiny-smoke-jpqd.json --distillation_weight 0.9 --do_train --do_eval \
  --learning_rate 1e-3 --num_train_epochs "$epochs" --output_dir "$out/jpqd" "${common[@]}"

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
/usr/bin/python3 - "$out" <<'PY'
import json, os, statistics, sys
out = sys.argv[1]
def row(run):
    acc = json.load(open(f"{out}/{run}/deployed_eval.json"))["eval_accuracy"]
    size = os.path.getsize(f"{out}/{run}/model.jpqd")
    fp32_ckpt = os.path.getsize(f"{out}/{run}/model.safetensors")
    tput = statistics.median(json.load(open(f"{out}/{run}/benchmark_{r}.json"))["throughput_sequences_per_s"] for r in (1, 2, 3))
    return acc, size, fp32_ckpt, tput
fp32, jpqd = row("fp32"), row("jpqd")
print("| model | SST-2 dev accuracy (deployed) | model.jpqd bytes | compression vs FP32 checkpoint | sequences/s | speedup |")
print("|---|---:|---:|---:|---:|---:|")
for name, r in (("FP32 baseline (bert-tiny)", fp32), ("INT8 JPQD (bert-tiny)", jpqd)):
    print(f"| {name} | {r[0]*100:.2f}% | {r[1]:,} | {r[2]/r[1]:.2f}x | {r[3]:.1f} | {r[3]/fp32[3]:.2f}x |")
PY
echo "Runs, logs, exported models and compression reports are in $out/ (see $out/jpqd/report/report.md)." >&2
