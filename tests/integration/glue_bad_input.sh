# Bad input to `jpqd glue`: one clear error line naming the file or value, a non-zero exit, and no output
# directory left behind. "# catalogue: <tag>" marks the entries of docs/ERRORS.md tested here (the other
# entries are in error_catalogue.sh).
source "$(dirname "$0")/lib.bash"
common=(--do_train --do_eval --max_train_samples 64 --max_eval_samples 64 --num_train_epochs 1 --disable_tqdm)
out="$WORK/out"

# catalogue: glue.missing-model
expect_error 3 "no-such-dir" -- "$JPQD" glue --model_name_or_path "$WORK/no-such-dir" --task_name sst2 \
  --output_dir "$out" "${common[@]}"
# catalogue: glue.unknown-task
expect_error 2 "unknown GLUE task" -- "$JPQD" glue --model_name_or_path bert-tiny --task_name sst3 \
  --output_dir "$out" "${common[@]}"
# catalogue: glue.max-seq-length-high
expect_error 2 "max_seq_length 513" -- "$JPQD" glue --model_name_or_path bert-tiny --task_name sst2 \
  --max_seq_length 513 --output_dir "$out" "${common[@]}"
[ ! -e "$out" ] || fail "a failed run left $out behind"

# A checkpoint whose config.json is not JSON, and one whose tensors disagree with config.json.
"$JPQD" glue --model_name_or_path bert-tiny --task_name sst2 --do_train --max_steps 1 --max_train_samples 8 \
  --save_strategy no --output_dir "$WORK/ckpt" --disable_tqdm 2>/dev/null || fail "could not make a checkpoint"
cp -r "$WORK/ckpt" "$WORK/corrupt"
echo '{"hidden_size": 128,' > "$WORK/corrupt/config.json"
# catalogue: checkpoint.config-json
expect_error 4 "config.json" -- "$JPQD" glue --model_name_or_path "$WORK/corrupt" --task_name sst2 \
  --output_dir "$out" "${common[@]}"
cp -r "$WORK/ckpt" "$WORK/mismatch"
sed -i 's/"intermediate_size": 512/"intermediate_size": 256/' "$WORK/mismatch/config.json"
# catalogue: checkpoint.shape-mismatch
expect_error 4 "intermediate.dense.weight" -- "$JPQD" glue --model_name_or_path "$WORK/mismatch" \
  --task_name sst2 --output_dir "$out" "${common[@]}"
[ ! -e "$out" ] || fail "a failed run left $out behind"

# A label outside the label set of the training file, and an empty dataset.
printf 'sentence\tlabel\ngood\t1\nbad\t0\n' > "$WORK/train.tsv"
printf 'sentence\tlabel\nfine\t7\n' > "$WORK/dev.tsv"
# catalogue: glue.unknown-label
expect_error 4 "dev.tsv" -- "$JPQD" glue --model_name_or_path bert-tiny --train_file "$WORK/train.tsv" \
  --validation_file "$WORK/dev.tsv" --output_dir "$out" "${common[@]}"
printf 'sentence\tlabel\n' > "$WORK/empty.tsv"
# catalogue: glue.empty-dataset
expect_error 4 "empty dataset" -- "$JPQD" glue --model_name_or_path bert-tiny --train_file "$WORK/empty.tsv" \
  --validation_file "$WORK/dev.tsv" --output_dir "$out" "${common[@]}"
[ ! -e "$out" ] || fail "a failed run left $out behind"

# An existing, non-empty output directory without --overwrite_output_dir.
mkdir -p "$out" && touch "$out/keep"
# catalogue: glue.output-not-empty
expect_error 2 "overwrite_output_dir" -- "$JPQD" glue --model_name_or_path bert-tiny --task_name sst2 \
  --output_dir "$out" "${common[@]}"
[ -f "$out/keep" ] || fail "the existing output directory was modified"
echo "glue bad input: all cases rejected cleanly"
