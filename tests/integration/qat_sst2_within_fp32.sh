# Quantization-aware training keeps the accuracy: a bert-tiny fine-tuned on SST-2 in float32, then
# fine-tuned further with 8-bit fake quantization of every weight and activation (the seed's QAT config,
# configs/bert-base-qat.json, as NNCF applies QAT to a trained model), is within 1 point of the float32 model on
# SST-2 dev, both as trained (fake-quantized LibTorch) and as deployed (model.jpqd on jpqd's INT8 runtime).
# `jpqd quantizers` lists what the run quantized, with trained ranges.
source "$(dirname "$0")/lib.bash"
common=(--task_name sst2 --max_seq_length 64 --max_train_samples 8000 --per_device_train_batch_size 32
        --per_device_eval_batch_size 64 --warmup_ratio 0.1 --logging_steps 50 --save_strategy no --seed 42
        --disable_tqdm --do_train --do_eval)
# The float32 model: the fixture sst2_tiny_8000 (tests/integration/fixtures.bash), 2 epochs at lr 1e-3.
fp32_dir=$(fixture sst2_tiny_8000)
"$JPQD" glue --model_name_or_path "$fp32_dir" --nncf_compression_config "$SRC/configs/bert-base-qat.json" \
  --learning_rate 1e-4 --num_train_epochs 1 --output_dir "$WORK/qat" "${common[@]}" 2>"$WORK/qat.log" ||
  { tail -20 "$WORK/qat.log"; fail "QAT fine-tuning"; }
"$JPQD" eval -m "$WORK/qat/model.jpqd" --task_name sst2 --max_seq_length 64 --output "$WORK/deployed.json" \
  2>"$WORK/eval.log" || { cat "$WORK/eval.log"; fail "jpqd eval of the QAT model"; }
grep -q '"quantized": *true' "$WORK/qat/export.json" || fail "the QAT run did not export an INT8 model"

fp32=$(json_value "$fp32_dir/eval_results.json" eval_accuracy)
trained=$(json_value "$WORK/qat/eval_results.json" eval_accuracy)
deployed=$(json_value "$WORK/deployed.json" eval_accuracy)
echo "SST-2 dev accuracy: float32 $fp32, QAT trained $trained, QAT deployed $deployed"
/usr/bin/python3 - "$fp32" "$trained" "$deployed" <<'PY' || fail "QAT lost more than 1 point"
import sys
fp32, trained, deployed = map(float, sys.argv[1:])
assert fp32 >= 0.65, f"the float32 model did not learn ({fp32})"
assert trained >= fp32 - 0.01 and deployed >= fp32 - 0.01, (fp32, trained, deployed)
PY

# Every Linear's and embedding's weights and the activation inputs the config places, with trained ranges.
"$JPQD" quantizers --model_name_or_path "$WORK/qat" --json >"$WORK/quantizers.json" 2>"$WORK/quantizers.log" ||
  { cat "$WORK/quantizers.log"; fail "jpqd quantizers"; }
/usr/bin/python3 - "$WORK/quantizers.json" <<'PY' || fail "jpqd quantizers listing"
import json, sys
listing = json.load(open(sys.argv[1]))
weights = [r for r in listing if r["kind"] == "weight"]
embeddings = [r for r in weights if ".embeddings." in r["name"]]
# bert-tiny: 2 layers x 6 Linears, the pooler and the classifier; word, position and token-type embeddings.
assert len(weights) - len(embeddings) == 2 * 6 + 2, [r["name"] for r in weights]
assert len(embeddings) == 3, [r["name"] for r in embeddings]
assert len(listing) > len(weights), "no activation quantizers listed"
for r in listing:
    assert r["mode"] == "symmetric" and r["bits"] == 8 and r["initialized"], r
    assert r["granularity"] == ("per_channel" if r["kind"] == "weight" else "per_tensor"), r
    high = r["high_max"] if r["granularity"] == "per_channel" else r["high"]
    assert high > 0, r
print(f"{len(listing)} quantizers listed, {len(weights)} on weights")
PY
echo "QAT stays within 1 point of float32"
