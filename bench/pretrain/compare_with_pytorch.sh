#!/usr/bin/env bash
# `jpqd pretrain` next to an independent PyTorch loop (pytorch_mlm.py) on the same text and recipe, to tell a
# fault in jpqd from a property of masked-LM training (such as the long plateau at the unigram loss).
# Default task: "copy" lines (one vocabulary word repeated 10-20 times, 1,000 distinct words) read line by
# line: the masked word is any of its neighbours, so the loss falls below the unigram level (ln 1000 = 6.9)
# only once attention uses the context. Prints both losses every LOG steps.
#
#   bench/pretrain/compare_with_pytorch.sh                   (from the repository root)
#
# Environment: BUILD (build), OUT (/tmp/jpqd_mlm_compare), STEPS (200), LR (1e-3), WARMUP (20), LOG (25),
# THREADS (1), SHAPE (bert-tiny; any shape both tools name), TEXT (a text file to use
# instead of the copy task, grouped into 128-token blocks).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build} OUT=${OUT:-/tmp/jpqd_mlm_compare} STEPS=${STEPS:-200} LR=${LR:-1e-3} WARMUP=${WARMUP:-20}
LOG=${LOG:-25} THREADS=${THREADS:-1} SHAPE=${SHAPE:-bert-tiny}
VOCAB=data/vocab/bert-base-uncased
mkdir -p "$OUT"
if [ -n "${TEXT:-}" ]; then
  text=$TEXT data=(--max_seq_length 128) ref_data=(--seq 128)
else
  text=$OUT/copy.txt data=(--line_by_line --max_seq_length 32) ref_data=(--line_by_line --seq 32)
  /usr/bin/python3 - "$VOCAB/vocab.txt" "$text" <<'PY'
import random, sys
random.seed(2)
vocab = [t.strip() for t in open(sys.argv[1], encoding="utf-8")]
words = [w for w in vocab[2000:] if w.isascii() and w.isalpha() and len(w) > 3][:1000]
with open(sys.argv[2], "w") as f:
    for _ in range(3000):
        f.write(" ".join([random.choice(words)] * random.randint(10, 20)) + "\n")
PY
fi

"$BUILD/tools/jpqd" pretrain --model_name_or_path "$SHAPE" --tokenizer_name "$VOCAB" --train_file "$text" "${data[@]}" \
  --per_device_train_batch_size 32 --learning_rate "$LR" --warmup_steps "$WARMUP" --max_steps "$STEPS" \
  --logging_steps "$LOG" --do_train --save_strategy no --seed 42 --threads "$THREADS" --disable_tqdm \
  --output_dir "$OUT/jpqd" --overwrite_output_dir 2>"$OUT/jpqd.log"
/usr/bin/python3 bench/pretrain/pytorch_mlm.py --vocab "$VOCAB/vocab.txt" --train_file "$text" "${ref_data[@]}" \
  --model "$SHAPE" --steps "$STEPS" --lr "$LR" --warmup "$WARMUP" --log "$LOG" --threads "$THREADS" \
  >"$OUT/pytorch.log" 2>&1

/usr/bin/python3 - "$OUT" <<'PY'
import json, re, sys
out = sys.argv[1]
jpqd = {e["step"]: e["loss"] for e in json.load(open(f"{out}/jpqd/trainer_state.json"))["log_history"] if "loss" in e}
ref = {int(m[1]): float(m[2]) for m in re.finditer(r"step (\d+) loss ([0-9.]+)", open(f"{out}/pytorch.log").read())}
print("| step | jpqd pretrain | PyTorch reference |\n|---|---|---|")
for step in sorted(set(jpqd) | set(ref)):
    print(f"| {step} | {jpqd.get(step, float('nan')):.3f} | {ref.get(step, float('nan')):.3f} |")
PY
