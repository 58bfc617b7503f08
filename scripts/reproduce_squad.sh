#!/usr/bin/env bash
# Question answering the way of scripts/reproduce_sst2.sh, smaller. The only SQuAD file shipped is
# v1.1's dev set, so it is split by article: the first $TRAIN_ARTICLES articles train, the other articles
# (questions on paragraphs never seen in training) evaluate. For each seed:
#   teacher    - the shipped 8-layer teacher's encoder (models/bert-mini8-imdb-sst2) fine-tuned for QA, FP32,
#   FP32       - the shipped student (models/bert-mini-imdb) fine-tuned,
#   INT8 JPQD  - the student with movement sparsity + QAT + distillation from the teacher in one loop
#                (configs/bert-base-squad-jpqd.json, the seed's QA config: warm-up epochs 1 -> 4),
# then EM/F1 of the DEPLOYED models (`jpqd eval --task_name squad` on model.jpqd, jpqd's runtime). Prints a
# Markdown table (mean ± sample standard deviation over seeds) and writes it to $OUT/table.md.
#
#   scripts/reproduce_squad.sh
#   TRAIN_ARTICLES=8 MAX_EVAL_SAMPLES=500 EPOCHS=6 SEEDS=42 scripts/reproduce_squad.sh   # a quick look
#
# Environment: STUDENT, TEACHER_INIT (checkpoint dirs or named shapes), SEEDS, TRAIN_ARTICLES (of 48), EPOCHS
# (at least 5: the config's masks resolve at the start of epoch 4), SEQ, DOC_STRIDE, LR, TEACHER_LR, BATCH,
# MAX_TRAIN_SAMPLES / MAX_EVAL_SAMPLES (-1 = all), DISTILLATION_WEIGHT, PRECISION_FLAGS, OUT, BUILD.
set -euo pipefail
cd "$(dirname "$0")/.."
STUDENT=${STUDENT:-models/bert-mini-imdb}
TEACHER_INIT=${TEACHER_INIT:-models/bert-mini8-imdb-sst2}
SEEDS=${SEEDS:-"42 43 44"}
TRAIN_ARTICLES=${TRAIN_ARTICLES:-36}
EPOCHS=${EPOCHS:-6}
SEQ=${SEQ:-256}
DOC_STRIDE=${DOC_STRIDE:-128}
LR=${LR:-3e-4}
TEACHER_LR=${TEACHER_LR:-2e-4}
BATCH=${BATCH:-32}
MAX_TRAIN_SAMPLES=${MAX_TRAIN_SAMPLES:--1}
MAX_EVAL_SAMPLES=${MAX_EVAL_SAMPLES:--1}
DISTILLATION_WEIGHT=${DISTILLATION_WEIGHT:-0.9}
PRECISION_FLAGS=${PRECISION_FLAGS:-}
OUT=${OUT:-runs/reproduce_squad}
JPQD=${BUILD:-build}/tools/jpqd
SQUAD=data/squad/dev-v1.1.json
[ -x "$JPQD" ] ||
  { echo "reproduce_squad: $JPQD missing: build first (scripts/setup.sh; cmake --build build)" >&2; exit 1; }
[ "$EPOCHS" -ge 5 ] || { echo "reproduce_squad: EPOCHS must be at least 5 (masks resolve at epoch 4)" >&2; exit 1; }
mkdir -p "$OUT"
log() { echo "== $(date -u +%H:%M:%S) $*" >&2; }

common=(--train_file "$SQUAD" --validation_file "$SQUAD" --train_articles "$TRAIN_ARTICLES" --max_seq_length "$SEQ"
        --doc_stride "$DOC_STRIDE" --max_train_samples "$MAX_TRAIN_SAMPLES" --max_eval_samples "$MAX_EVAL_SAMPLES"
        --per_device_train_batch_size "$BATCH" --per_device_eval_batch_size 64 --num_train_epochs "$EPOCHS"
        --warmup_ratio 0.1 --do_train --do_eval --logging_steps 50 --save_strategy no --overwrite_output_dir
        --disable_tqdm)
# shellcheck disable=SC2206
precision=($PRECISION_FLAGS)

# train <dir> <flags...>: one run, then its deployed EM/F1; skipped when already done.
train() {
  local dir=$1
  shift
  if [ -s "$dir/deployed_eval.json" ]; then log "$dir: done already"; return; fi
  log "$dir: training"
  mkdir -p "$(dirname "$dir")"
  "$JPQD" qa --output_dir "$dir" "${common[@]}" "${precision[@]}" "$@" 2>"$dir.log" ||
    { tail -20 "$dir.log" >&2; exit 1; }
  "$JPQD" eval -m "$dir/model.jpqd" --task_name squad --validation_file "$SQUAD" --train_articles "$TRAIN_ARTICLES" \
    --max_seq_length "$SEQ" --doc_stride "$DOC_STRIDE" --max_eval_samples "$MAX_EVAL_SAMPLES" \
    --output "$dir/deployed_eval.json" 2>>"$dir.log" >/dev/null
}

for seed in $SEEDS; do
  train "$OUT/seed$seed/teacher" --model_name_or_path "$TEACHER_INIT" --learning_rate "$TEACHER_LR" --seed "$seed"
  train "$OUT/seed$seed/fp32" --model_name_or_path "$STUDENT" --learning_rate "$LR" --seed "$seed"
  train "$OUT/seed$seed/jpqd" --model_name_or_path "$STUDENT" --learning_rate "$LR" --seed "$seed" \
    --nncf_compression_config configs/bert-base-squad-jpqd.json --teacher_model_name_or_path "$OUT/seed$seed/teacher" \
    --distillation_weight "$DISTILLATION_WEIGHT" --distillation_temperature 2
done

/usr/bin/python3 - "$OUT" "$SEEDS" "$TRAIN_ARTICLES" <<'PY' | tee "$OUT/table.md"
import json, os, statistics, sys
out, seeds, articles = sys.argv[1], sys.argv[2].split(), int(sys.argv[3])

def spread(values):
    mean = statistics.mean(values)
    return f"{mean:.2f} ± {statistics.stdev(values):.2f}" if len(values) > 1 else f"{mean:.2f}"

deployed = {v: [json.load(open(f"{out}/seed{s}/{v}/deployed_eval.json")) for s in seeds]
            for v in ("teacher", "fp32", "jpqd")}
questions = deployed["fp32"][0].get("eval_samples", "all")
print(f"SQuAD v1.1 dev, split by article: trained on the first {articles} of its 48 articles, evaluated on "
      f"{questions} held-out questions (from the other {48 - articles} articles). EM/F1 of the deployed models "
      f"over seeds {', '.join(seeds)} (mean ± sample std).\n")
print("| model | EM | F1 | Δ F1 vs FP32 (points) | model.jpqd MB | compression |")
print("|---|---:|---:|---:|---:|---:|")
fp32_f1 = statistics.mean(r["eval_f1"] for r in deployed["fp32"])
fp32_size = os.path.getsize(f"{out}/seed{seeds[0]}/fp32/model.jpqd")
def layers(variant):
    return json.load(open(f"{out}/seed{seeds[0]}/{variant}/config.json"))["num_hidden_layers"]

for variant, name in (("teacher", f"FP32 teacher ({layers('teacher')} layers)"),
                      ("fp32", f"FP32 student ({layers('fp32')} layers)"), ("jpqd", "INT8 JPQD student")):
    em = [r["eval_exact_match"] for r in deployed[variant]]
    f1 = [r["eval_f1"] for r in deployed[variant]]
    size = os.path.getsize(f"{out}/seed{seeds[0]}/{variant}/model.jpqd")
    print(f"| {name} | {spread(em)} | {spread(f1)} | {statistics.mean(f1) - fp32_f1:+.2f} | {size / 1e6:.2f} | "
          f"{fp32_size / size:.2f}x |")
PY
log "table: $OUT/table.md"
