#!/usr/bin/env bash
# Does a pretrained checkpoint fine-tune better than a random model of its shape? Both are fine-tuned on the
# same SST-2 sentences with the same recipe and seeds; prints the SST-2 dev accuracy of each run and the means.
#
#   bench/pretrain/finetune_gain.sh <checkpoint dir> [<named shape, default bert-mini>]
#
# Environment: BUILD (build), OUT (/tmp/jpqd_finetune_gain), SAMPLES (4000 training sentences), EPOCHS (2),
# LR (2e-4), SEEDS ("42 43"), THREADS (all cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
checkpoint=${1:?usage: $0 <checkpoint dir> [<named shape>]}
shape=${2:-bert-mini}
BUILD=${BUILD:-build} OUT=${OUT:-/tmp/jpqd_finetune_gain} SAMPLES=${SAMPLES:-4000} EPOCHS=${EPOCHS:-2}
LR=${LR:-2e-4} SEEDS=${SEEDS:-"42 43"} THREADS=${THREADS:-0}
mkdir -p "$OUT"
for seed in $SEEDS; do
  for model in "$checkpoint" "$shape"; do
    name=$( [ "$model" = "$shape" ] && echo random || echo pretrained )
    "$BUILD/tools/jpqd" glue --model_name_or_path "$model" --tokenizer_name data/vocab/bert-base-uncased \
      --task_name sst2 --max_seq_length 64 --pad_to_max_length false --max_train_samples "$SAMPLES" --do_train \
      --do_eval --per_device_train_batch_size 32 --learning_rate "$LR" --num_train_epochs "$EPOCHS" --logging_steps 50 \
      --save_strategy no --seed "$seed" --threads "$THREADS" --disable_tqdm --overwrite_output_dir \
      --output_dir "$OUT/$name-$seed" 2>"$OUT/$name-$seed.log" || { tail -20 "$OUT/$name-$seed.log"; exit 1; }
  done
done
/usr/bin/python3 - "$OUT" "$SEEDS" "$checkpoint" "$shape" <<'PY'
import json, statistics, sys
out, seeds, checkpoint, shape = sys.argv[1], sys.argv[2].split(), sys.argv[3], sys.argv[4]
print(f"| model | " + " | ".join(f"seed {s}" for s in seeds) + " | mean |")
print("|---|" + "---:|" * (len(seeds) + 1))
for name, label in (("pretrained", checkpoint), ("random", f"random {shape}")):
    acc = [100 * json.load(open(f"{out}/{name}-{s}/eval_results.json"))["eval_accuracy"] for s in seeds]
    print(f"| {label} | " + " | ".join(f"{a:.2f}" for a in acc) + f" | {statistics.mean(acc):.2f} |")
PY
