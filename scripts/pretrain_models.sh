#!/usr/bin/env bash
# How the shipped models under models/ are made, stage by stage; each stage resumes from its newest
# checkpoint when rerun, so the hours can be split across sessions.
#
#   scripts/pretrain_models.sh student           # bert-mini, masked LM on the IMDB reviews (train + unlabeled)
#   scripts/pretrain_models.sh teacher-pretrain  # the student stacked to 8 layers, masked LM continued
#   scripts/pretrain_models.sh teacher-finetune  # the 8-layer model fine-tuned on all of SST-2
#   scripts/pretrain_models.sh ship              # float16 copies + logs + provenance + SHA256SUMS into models/
#
# Environment: CORPUS (required: the directory with the IMDB reviews as imdb_*.txt, one per line; 96 MB, not
# shipped in this repository), RUNS (runs/pretrain),
# BUILD (build), STUDENT_STEPS (6000), TEACHER_STEPS (2000), PRECISION_FLAGS (--bf16: bfloat16 autocast where
# the CPU has AVX512-BF16, float32 elsewhere).
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-}
if [ "${1:-}" != ship ] && ! compgen -G "$CORPUS/imdb_*.txt" >/dev/null; then
  echo "pretrain_models.sh: set CORPUS to the directory holding the IMDB reviews as imdb_*.txt (got '${CORPUS}')" >&2
  exit 2
fi
RUNS=${RUNS:-runs/pretrain}
JPQD=${BUILD:-build}/tools/jpqd
STUDENT_STEPS=${STUDENT_STEPS:-6000}
TEACHER_STEPS=${TEACHER_STEPS:-2000}
# shellcheck disable=SC2206
precision=(${PRECISION_FLAGS:---bf16})
mkdir -p "$RUNS"

newest_checkpoint() {  # the newest checkpoint-N of a run directory, or nothing
  ls -d "$1"/checkpoint-* 2>/dev/null | sort -t- -k2 -n | tail -n 1
}
resume_flags() {
  local last
  last=$(newest_checkpoint "$1")
  if [ -n "$last" ]; then echo "--resume_from_checkpoint $last"; fi
}

corpus=("$CORPUS/imdb_train_labeled_25k.txt" "$CORPUS/imdb_unsup_part1_25k.txt" "$CORPUS/imdb_unsup_part2_25k.txt")
mlm=(--train_file "${corpus[@]}" --validation_split_percentage 2 --max_eval_samples 512 --max_seq_length 128
     --per_device_train_batch_size 32 --weight_decay 0.01 --logging_steps 50 --save_steps 500 --save_total_limit 2
     --do_train --do_eval --seed 42)

# shipped_check <dir>: records shipped_check.json, which tests/integration/shipped_models.sh recomputes.
source scripts/shipped_check.bash
shipped_check() {
  local dir=$1 work
  work=$(mktemp -d)
  if grep -q '"BertForMaskedLM"' "$dir/config.json"; then
    sst2_dev_sentences . "$work/dev.txt"
    "$JPQD" pretrain --model_name_or_path "$dir" "${shipped_mlm_check[@]}" --validation_file "$work/dev.txt" \
      --output_dir "$work/out"
  else
    "$JPQD" glue --model_name_or_path "$dir" "${shipped_glue_check[@]}" --output_dir "$work/out"
  fi
  cp "$work/out/eval_results.json" "$dir/shipped_check.json"
  rm -rf "$work"
}

case "${1:-}" in
  student)
    # shellcheck disable=SC2046
    "$JPQD" pretrain --model_name_or_path bert-mini --tokenizer_name data/vocab/bert-base-uncased "${mlm[@]}" \
      --learning_rate 1e-3 --adam_beta2 0.98 --warmup_steps 500 --max_steps "$STUDENT_STEPS" \
      --output_dir "$RUNS/student" \
      --overwrite_output_dir "${precision[@]}" $(resume_flags "$RUNS/student") 2>&1 | tee -a "$RUNS/student.log"
    ;;
  teacher-pretrain)
    [ -f "$RUNS/student/model.safetensors" ] || { echo "pretrain_models: run the student stage first" >&2; exit 1; }
    # shellcheck disable=SC2046
    "$JPQD" pretrain --model_name_or_path "$RUNS/student" --stack_layers "${mlm[@]}" --learning_rate 3e-4 \
      --warmup_steps 100 --max_steps "$TEACHER_STEPS" --output_dir "$RUNS/teacher-mlm" --overwrite_output_dir \
      "${precision[@]}" $(resume_flags "$RUNS/teacher-mlm") 2>&1 | tee -a "$RUNS/teacher-mlm.log"
    ;;
  teacher-finetune)
    # Batches padded to their longest sentence: SST-2 averages 13 word pieces, so about 3x less compute than 128.
    "$JPQD" glue --model_name_or_path "$RUNS/teacher-mlm" --task_name sst2 --max_seq_length 128 --do_train --do_eval \
      --pad_to_max_length false --per_device_train_batch_size 32 --learning_rate 1e-4 --warmup_ratio 0.06 \
      --num_train_epochs 3 --logging_steps 100 --save_strategy epoch --save_total_limit 1 --seed 42 \
      --output_dir "$RUNS/teacher-sst2" --overwrite_output_dir "${precision[@]}" 2>&1 | tee -a "$RUNS/teacher-sst2.log"
    ;;
  ship)
    # Ships every stage that has finished (a model.safetensors at the top of its run directory).
    shipped=0
    for entry in "student:bert-mini-imdb:student:" \
                 "teacher-sst2:bert-mini8-imdb-sst2:student teacher-pretrain teacher-finetune:$RUNS/teacher-mlm"; do
      IFS=: read -r run name stages pretraining <<<"$entry"
      if [ ! -f "$RUNS/$run/model.safetensors" ]; then
        echo "pretrain_models: $RUNS/$run is not finished; models/$name not shipped" >&2
        continue
      fi
      rm -rf "models/$name.tmp" && mkdir -p models
      "$JPQD" convert "$RUNS/$run" --output_dir "models/$name.tmp" --torch_dtype float16
      for f in trainer_state.json all_results.json eval_results.json train_results.json training_args.json; do
        if [ -f "$RUNS/$run/$f" ]; then cp "$RUNS/$run/$f" "models/$name.tmp/"; fi
      done
      if [ -f "$RUNS/$run.log" ]; then gzip -9nc "$RUNS/$run.log" >"models/$name.tmp/train.log.gz"; fi
      if [ -n "$pretraining" ] && [ -f "$pretraining.log" ]; then
        gzip -9nc "$pretraining.log" >"models/$name.tmp/pretrain.log.gz"
      fi
      shipped_check "models/$name.tmp"
      scripts/model_card.py "$RUNS/$run" "models/$name.tmp" "$name" "$stages" "$CORPUS" ${pretraining:+"$pretraining"}
      (cd "models/$name.tmp" && sha256sum -- * >SHA256SUMS)  # the glob expands before SHA256SUMS exists
      rm -rf "models/$name" && mv "models/$name.tmp" "models/$name"
      echo "shipped models/$name" >&2
      shipped=$((shipped + 1))
    done
    [ "$shipped" -gt 0 ] || { echo "pretrain_models: nothing to ship" >&2; exit 1; }
    ;;
  *)
    sed -n '2,13p' "$0" >&2
    exit 2
    ;;
esac
