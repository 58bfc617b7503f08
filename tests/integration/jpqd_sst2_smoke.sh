# JPQD end to end at smoke scale: a bert-tiny teacher is fine-tuned on part of SST-2, then a bert-tiny student
# is trained with movement sparsity + quantization + distillation in one loop (configs/tiny-smoke-jpqd.json:
# warm-up in epoch 1, structured masking at the start of epoch 2). The run must log every loss and statistic,
# export a physically pruned INT8 model.jpqd and model.onnx, write the compression report, and the deployed
# model on jpqd's runtime must predict what the fake-quantized LibTorch model predicted. The JPQD run uses the
# seed's command line (docs/algorithms.md 5.1) scaled down: --optim adamw_torch, --evaluation_strategy steps with
# --eval_steps, --save_strategy epoch with --save_total_limit, --fp16 (bfloat16 or a notice on a CPU), --seed.
source "$(dirname "$0")/lib.bash"
common=(--task_name sst2 --max_seq_length 64 --max_train_samples 2000 --per_device_train_batch_size 32
        --per_device_eval_batch_size 64 --logging_steps 10 --disable_tqdm)
# The teacher: the fixture sst2_tiny_2000 (tests/integration/fixtures.bash), 2 epochs on 2,000 sentences.
teacher=$(fixture sst2_tiny_2000)
out="$WORK/jpqd"
# 2000 samples / 32 = 63 steps per epoch: evaluations at 25, 50, ..., 175; checkpoints 63, 126, 189, of which
# save_total_limit keeps the last 2.
"$JPQD" glue --model_name_or_path bert-tiny --teacher_model_name_or_path "$teacher" \
  --nncf_compression_config "$SRC/configs/tiny-smoke-jpqd.json" --distillation_weight 0.9 \
  --do_train --do_eval --do_predict --learning_rate 1e-3 --num_train_epochs 3 --output_dir "$out" "${common[@]}" \
  --optim adamw_torch --evaluation_strategy steps --eval_steps 25 --save_strategy epoch --save_total_limit 2 \
  --fp16 --seed 42 2>"$WORK/jpqd.log" || { tail -30 "$WORK/jpqd.log"; fail "jpqd glue with JPQD"; }
grep -q -e "--fp16/--bf16: the training forward runs under bfloat16 autocast" \
  -e "--fp16/--bf16: this CPU has no native bfloat16 arithmetic, so training runs in float32" "$WORK/jpqd.log" \
  || fail "--fp16 said nothing about what it does on this CPU"
[ "$(cd "$out" && echo checkpoint-*)" = "checkpoint-126 checkpoint-189" ] \
  || fail "--save_strategy epoch --save_total_limit 2 left: $(cd "$out" && echo checkpoint-*)"
[ -s "$out/checkpoint-189/compression_state.safetensors" ] || fail "the last checkpoint has no compression state"

for f in model.jpqd model.onnx export.json structured_sparsity.csv structured_sparsity.json compression_config.json \
         compression_state.safetensors report/report.md report/sparsity.png report/heads_per_layer.png \
         report/parameters_per_layer.png eval_results.json predict_results_sst2.jsonl; do
  [ -s "$out/$f" ] || fail "missing $f"
done
/usr/bin/python3 - "$out" <<'PY' || fail "the run's log or export is incomplete"
import json, sys
out = sys.argv[1]
log = json.load(open(f"{out}/trainer_state.json"))["log_history"]
train = [e for e in log if "loss" in e]
keys = set().union(*train)
for k in ("task_loss", "distillation_loss", "compression_loss", "learning_rate",
          "compression/movement_sparsity/linear_layer_sparsity", "compression/quantization/weight_quantizers"):
    assert k in keys, f"log_history lacks {k}"
sparsity = [e["compression/movement_sparsity/linear_layer_sparsity"] for e in train]
assert max(sparsity) > 0.1, f"sparsity never rose: {sparsity}"
evals = [e["step"] for e in log if "eval_accuracy" in e]
assert evals[:7] == [25, 50, 75, 100, 125, 150, 175], f"--evaluation_strategy steps --eval_steps 25 evaluated at {evals}"
export = json.load(open(f"{out}/export.json"))
assert export["pruned"] and export["quantized"], export
print("final linear-layer sparsity", sparsity[-1], "heads kept", [l["heads_kept"] for l in export["pruning"]["layers"]])
PY
"$JPQD" inspect "$out/model.jpqd" >"$WORK/inspect.txt" || fail "inspect"
grep -q "quantization    int8" "$WORK/inspect.txt" || fail "inspect does not show an int8 model"
"$JPQD" eval -m "$out/model.jpqd" --task_name sst2 --max_seq_length 64 --predictions_file "$WORK/runtime.jsonl" \
  --output "$WORK/runtime_eval.json" 2>"$WORK/eval.log" || { cat "$WORK/eval.log"; fail "jpqd eval"; }
"$JPQD" benchmark -m "$out/model.jpqd" -b 4 --seq_len 64 -niter 8 --warmup 1 >"$WORK/bench.txt" || fail "benchmark"
grep -q "Throughput" "$WORK/bench.txt" || fail "benchmark printed no throughput"
# The deployed model predicts what training predicted, and training learned something (deployed_agreement.py).
/usr/bin/python3 "$SRC/tests/integration/deployed_agreement.py" "$out" "$WORK/runtime.jsonl" "$WORK/runtime_eval.json" 0.6 \
  || fail "runtime and training disagree"
# ONNX Runtime runs the exported QDQ model.onnx and agrees with jpqd's runtime on >= 99% of SST-2 dev.
/usr/bin/python3 "$SRC/tests/integration/ort_glue_agreement.py" "$SRC" "$out/model.onnx" "$SRC/data/glue/SST-2/dev.tsv" \
  "$WORK/runtime.jsonl" "$WORK" 0.99 || fail "ONNX Runtime and jpqd's runtime disagree on the exported model"
echo "JPQD smoke: trained, exported, deployed and verified"
