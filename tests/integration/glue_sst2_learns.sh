# A short run on the shipped SST-2 learns: a randomly initialised bert-tiny trained on 8,000 sentences
# reaches well above chance (50.9% = majority class) on the dev set, and writes HF's output files.
source "$(dirname "$0")/lib.bash"
out="$WORK/run"
"$JPQD" glue --model_name_or_path bert-tiny --task_name sst2 --do_train --do_eval --max_seq_length 64 \
  --max_train_samples 8000 --per_device_train_batch_size 32 --per_device_eval_batch_size 64 \
  --learning_rate 1e-3 --warmup_ratio 0.1 --num_train_epochs 2 --logging_steps 50 --save_strategy no \
  --seed 42 --output_dir "$out" --disable_tqdm 2>"$WORK/log" || { cat "$WORK/log"; fail "jpqd glue failed"; }
for f in config.json model.safetensors vocab.txt tokenizer_config.json trainer_state.json train_results.json \
         eval_results.json all_results.json; do
  [ -s "$out/$f" ] || fail "missing $f"
done
acc=$(json_value "$out/eval_results.json" eval_accuracy)
echo "SST-2 dev accuracy after 2 epochs on 8,000 sentences: $acc"
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$acc') >= 0.65 else 1)" || fail "accuracy $acc is not well above chance"
