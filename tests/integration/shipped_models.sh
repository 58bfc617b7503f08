# The shipped models under models/: every file matches SHA256SUMS and none is unlisted, each model
# loads, and recomputing its figure from the shipped files gives the one recorded at shipping
# (shipped_check.json, made by scripts/pretrain_models.sh ship with the same flags):
#   masked LM  - loss on the SST-2 dev sentences with a fixed masking seed, and far below a random model's;
#   classifier - SST-2 dev accuracy.
# The student also loads for fine-tuning with only the pooler and classifier newly initialised.
source "$(dirname "$0")/lib.bash"
student="$SRC/models/bert-mini-imdb"
[ -f "$student/SHA256SUMS" ] || fail "the shipped student $student is missing"
source "$SRC/scripts/shipped_check.bash"
sst2_dev_sentences "$SRC" "$WORK/dev.txt"

# within <a> <b> <relative tolerance>
within() {
  /usr/bin/python3 -c 'import sys; a, b, t = map(float, sys.argv[1:]); sys.exit(abs(a - b) > t * abs(b))' "$@"
}

for dir in "$SRC"/models/*/; do
  dir=${dir%/} name=$(basename "$dir")
  (cd "$dir" && sha256sum --check --strict --quiet SHA256SUMS) || fail "$name: files do not match SHA256SUMS"
  for f in "$dir"/*; do
    f=$(basename "$f")
    [ "$f" = SHA256SUMS ] || grep -q "  $f\$" "$dir/SHA256SUMS" || fail "$name: $f is not listed in SHA256SUMS"
  done
  recorded="$dir/shipped_check.json"
  [ -f "$recorded" ] || fail "$name: no shipped_check.json"
  if grep -q '"BertForMaskedLM"' "$dir/config.json"; then
    "$JPQD" pretrain --model_name_or_path "$dir" "${shipped_mlm_check[@]}" --validation_file "$WORK/dev.txt" \
      --output_dir "$WORK/$name" 2>"$WORK/$name.log" ||
      { tail -20 "$WORK/$name.log"; fail "$name: masked-LM evaluation"; }
    loss=$(json_value "$WORK/$name/eval_results.json" eval_loss)
    within "$loss" "$(json_value "$recorded" eval_loss)" 1e-3 ||
      fail "$name: masked-LM loss $loss, recorded $(json_value "$recorded" eval_loss)"
    "$JPQD" pretrain --model_name_or_path bert-mini --tokenizer_name "$dir" "${shipped_mlm_check[@]}" \
      --validation_file "$WORK/dev.txt" --output_dir "$WORK/random" 2>"$WORK/random.log" ||
      { tail -20 "$WORK/random.log"; fail "random bert-mini masked-LM evaluation"; }
    random=$(json_value "$WORK/random/eval_results.json" eval_loss)
    /usr/bin/python3 -c 'import sys; sys.exit(float(sys.argv[1]) > float(sys.argv[2]) - 3)' "$loss" "$random" ||
      fail "$name: masked-LM loss $loss is not well below a random model's $random"
    echo "$name: masked-LM loss $loss as recorded (random bert-mini: $random)"
  else
    "$JPQD" glue --model_name_or_path "$dir" "${shipped_glue_check[@]}" --output_dir "$WORK/$name" 2>"$WORK/$name.log" ||
      { tail -20 "$WORK/$name.log"; fail "$name: SST-2 evaluation"; }
    accuracy=$(json_value "$WORK/$name/eval_results.json" eval_accuracy)
    # One of the 872 sentences may flip on a near-tie under another thread count.
    /usr/bin/python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - float(sys.argv[2])) * 872 > 1.5)' \
      "$accuracy" "$(json_value "$recorded" eval_accuracy)" ||
      fail "$name: SST-2 dev accuracy $accuracy, recorded $(json_value "$recorded" eval_accuracy)"
    echo "$name: SST-2 dev accuracy $accuracy as recorded"
  fi
done

"$JPQD" glue --model_name_or_path "$student" --task_name sst2 --max_seq_length 64 --max_train_samples 64 \
  --max_eval_samples 64 --do_train --do_eval --max_steps 2 --output_dir "$WORK/finetune" --save_strategy no \
  --disable_tqdm 2>"$WORK/finetune.log" || { tail -20 "$WORK/finetune.log"; fail "fine-tuning the shipped student"; }
expect_only_new_classifier "$WORK/finetune.log"
echo "shipped models: ok"
