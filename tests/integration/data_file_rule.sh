# One rule for data files (README, "Data files"): with --task_name, --train_file / --validation_file /
# --test_file replace that split of the task's data whenever the step that needs them runs, and a file given
# without its step is not read, with one warning naming it. transformers' run_glue.py ignores the files
# silently when --task_name is given; a missing --validation_file was then not even noticed.
source "$(dirname "$0")/lib.bash"
{ head -1 "$SRC/data/glue/SST-2/dev.tsv"; sed -n 2,41p "$SRC/data/glue/SST-2/dev.tsv"; } >"$WORK/dev40.tsv"
common=(--model_name_or_path bert-tiny --task_name sst2 --max_seq_length 32 --disable_tqdm)

# --do_eval with --validation_file: the file's 40 sentences, not the task's 872.
"$JPQD" glue "${common[@]}" --do_eval --validation_file "$WORK/dev40.tsv" --output_dir "$WORK/eval" \
  2>"$WORK/eval.log" || { tail "$WORK/eval.log"; fail "glue --do_eval --validation_file"; }
[ "$(json_value "$WORK/eval/eval_results.json" eval_samples)" = 40 ] ||
  fail "--validation_file was not what --do_eval evaluated: $(cat "$WORK/eval/eval_results.json")"
# jpqd eval follows the same rule (and did before).
"$JPQD" glue --model_name_or_path bert-tiny --task_name sst2 --do_train --max_steps 1 --max_train_samples 8 \
  --save_strategy no --max_seq_length 32 --output_dir "$WORK/ckpt" --disable_tqdm 2>/dev/null || fail "a checkpoint"
"$JPQD" eval -m "$WORK/ckpt/model.jpqd" --task_name sst2 --max_seq_length 32 --validation_file "$WORK/dev40.tsv" \
  --output "$WORK/deployed.json" >/dev/null 2>&1 || fail "jpqd eval --validation_file"
[ "$(json_value "$WORK/deployed.json" eval_samples)" = 40 ] || fail "jpqd eval did not read --validation_file"

# A missing file is an error when its step runs...
expect_error 3 "no-such.tsv" -- "$JPQD" glue "${common[@]}" --do_eval --validation_file "$WORK/no-such.tsv" \
  --output_dir "$WORK/missing"
[ ! -e "$WORK/missing" ] || fail "a failed run left its output directory behind"
# ...and a file given without its step is not read, with one warning line naming it.
"$JPQD" glue "${common[@]}" --do_train --max_steps 1 --max_train_samples 8 --save_strategy no \
  --validation_file "$WORK/no-such.tsv" --test_file "$WORK/dev40.tsv" --output_dir "$WORK/train" 2>"$WORK/train.log" ||
  { tail "$WORK/train.log"; fail "glue --do_train with an unused --validation_file"; }
grep -q "WARNING - jpqd - --validation_file $WORK/no-such.tsv is not read: it is used only with --do_eval" "$WORK/train.log" ||
  fail "no warning for the unread --validation_file: $(grep -i warn "$WORK/train.log")"
grep -q "WARNING - jpqd - --test_file $WORK/dev40.tsv is not read: it is used only with --do_predict" "$WORK/train.log" ||
  fail "no warning for the unread --test_file"
echo "data files: read when their step runs, replacing the task's split; warned about otherwise"
