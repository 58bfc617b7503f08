# Pretraining to fine-tuning through the CLI: a bert-tiny is pretrained with masked LM on SST-2 sentences,
# grown to twice its depth (--stack_layers) and pretrained on, re-saved in float16 (jpqd convert), and
# fine-tuned on SST-2 from that checkpoint with only the pooler and classifier newly initialised.
source "$(dirname "$0")/lib.bash"
sed -n "2,3001p" "$SRC/data/glue/SST-2/train.tsv" | cut -f1 >"$WORK/corpus.txt"
pretrain=(--train_file "$WORK/corpus.txt" --max_seq_length 64 --per_device_train_batch_size 32 --learning_rate 1e-3
          --do_train --do_eval --max_eval_samples 64 --logging_steps 10 --save_strategy no --seed 3 --disable_tqdm)
"$JPQD" pretrain --model_name_or_path bert-tiny --max_steps 40 --output_dir "$WORK/mlm" "${pretrain[@]}" \
  2>"$WORK/mlm.log" || { tail -20 "$WORK/mlm.log"; fail "pretrain"; }
/usr/bin/python3 - "$WORK/mlm" <<'PY' || fail "pretraining did not lower the masked-LM loss"
import json, sys
log = json.load(open(f"{sys.argv[1]}/trainer_state.json"))["log_history"]
losses = [e["loss"] for e in log if "loss" in e]
assert losses[-1] < losses[0] - 1.0, losses
ev = json.load(open(f"{sys.argv[1]}/eval_results.json"))
assert ev["perplexity"] > 1 and abs(ev["perplexity"] - __import__("math").exp(ev["eval_loss"])) < 1e-3 * ev["perplexity"], ev
PY
grep -q '"BertForMaskedLM"' "$WORK/mlm/config.json" || fail "the pretrained checkpoint is not a BertForMaskedLM"

# Evaluation alone (no --train_file, as run_mlm.py --do_eval --validation_file): the held-out 5% (the first 150
# lines) as a file gives the same blocks and masks, so the same loss as the training run's final evaluation.
head -n 150 "$WORK/corpus.txt" >"$WORK/held_out.txt"
"$JPQD" pretrain --model_name_or_path "$WORK/mlm" --validation_file "$WORK/held_out.txt" --max_seq_length 64 \
  --do_eval --max_eval_samples 64 --seed 3 --output_dir "$WORK/eval_only" --disable_tqdm 2>"$WORK/eval_only.log" ||
  { tail -20 "$WORK/eval_only.log"; fail "pretrain --do_eval alone"; }
/usr/bin/python3 - "$WORK/mlm/eval_results.json" "$WORK/eval_only/eval_results.json" <<'PY' ||
import json, sys
trained, alone = (json.load(open(p))["eval_loss"] for p in sys.argv[1:])
assert abs(trained - alone) <= 1e-5 * trained, (trained, alone)
PY
  fail "evaluation alone disagrees with the training run's final evaluation"
[ ! -e "$WORK/eval_only/model.safetensors" ] || fail "evaluation alone wrote a model"

"$JPQD" pretrain --model_name_or_path "$WORK/mlm" --stack_layers --max_steps 5 --output_dir "$WORK/deep" "${pretrain[@]}" \
  2>"$WORK/deep.log" || { tail -20 "$WORK/deep.log"; fail "pretrain --stack_layers"; }
grep -q '"num_hidden_layers": 4' "$WORK/deep/config.json" || fail "--stack_layers did not double the depth"

"$JPQD" convert "$WORK/deep" --output_dir "$WORK/fp16" 2>"$WORK/convert.log" || { cat "$WORK/convert.log"; fail "convert"; }
grep -q '"torch_dtype": "float16"' "$WORK/fp16/config.json" || fail "convert did not write float16"
expect_error 2 "exists and is not empty" -- "$JPQD" convert "$WORK/deep" --output_dir "$WORK/fp16"

"$JPQD" glue --model_name_or_path "$WORK/fp16" --task_name sst2 --max_seq_length 64 --max_train_samples 256 \
  --max_eval_samples 64 --do_train --do_eval --max_steps 4 --output_dir "$WORK/sst2" --save_strategy no --disable_tqdm \
  2>"$WORK/sst2.log" || { tail -20 "$WORK/sst2.log"; fail "fine-tuning the pretrained checkpoint"; }
expect_only_new_classifier "$WORK/sst2.log"
echo "pretrain -> stack -> float16 -> fine-tune: ok"
