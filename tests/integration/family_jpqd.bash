# JPQD end to end for one model family other than BERT (sourced by family_jpqd_<family>.sh, after lib.bash):
# a random tiny teacher of the family is fine-tuned on part of SST-2, then a random tiny student of the same
# family is trained with movement sparsity + quantization + distillation in one loop, with the family's
# shipped config scaled down to smoke size (warm-up in epoch 1, structured masking from epoch 2). The export
# must be a physically pruned INT8 model.jpqd + model.onnx carrying the family's tokenizer; `jpqd eval` on
# the deployed model must predict what the fake-quantized LibTorch model predicted, and ONNX Runtime must
# agree with jpqd's runtime.
#   family_jpqd <family> <shipped config> <tokenizer dir or "">
family_jpqd() {
  local family=$1 config=$2 tokenizer=$3
  local tokenizer_flag=()
  [ -n "$tokenizer" ] && tokenizer_flag=(--tokenizer_name "$tokenizer")
  # Batches padded to their longest (SST-2 sentences are short) rather than to 64, as run_glue pads with
  # --pad_to_max_length False: less work for the same test.
  local common=(--task_name sst2 --max_seq_length 64 --pad_to_max_length false --max_train_samples 2000 --per_device_train_batch_size 32
                --per_device_eval_batch_size 64 --logging_steps 10 --disable_tqdm --seed 42 "${tokenizer_flag[@]}")
  # The family's scopes with the smoke schedule of configs/tiny-smoke-jpqd.json (8x8 blocks fit hidden 128).
  /usr/bin/python3 - "$SRC/configs/$config" "$SRC/configs/tiny-smoke-jpqd.json" "$WORK/config.json" <<'PY'
import json, sys
family, smoke = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for algorithm, tiny in zip(family, smoke):
    assert algorithm["algorithm"] == tiny["algorithm"]
    for key in ("params", "initializer"):
        if key in tiny:
            algorithm[key] = tiny[key]
    for structure in algorithm.get("sparse_structure_by_scopes", []):
        if structure["mode"] == "block":
            structure["sparse_factors"] = [8, 8]
json.dump(family, open(sys.argv[3], "w"), indent=1)
PY
  "$JPQD" glue --model_name_or_path "$family-tiny" --do_train --learning_rate 1e-3 --num_train_epochs 2 \
    --output_dir "$WORK/teacher" "${common[@]}" 2>"$WORK/teacher.log" || { tail -20 "$WORK/teacher.log"; fail "training the $family teacher"; }
  grep -q "\"model_type\": \"$family\"" "$WORK/teacher/config.json" || fail "the teacher is not a $family checkpoint"
  local out="$WORK/jpqd"
  "$JPQD" glue --model_name_or_path "$family-tiny" --teacher_model_name_or_path "$WORK/teacher" \
    --nncf_compression_config "$WORK/config.json" --distillation_weight 0.9 --do_train --do_eval --do_predict \
    --learning_rate 1e-3 --num_train_epochs 3 --output_dir "$out" "${common[@]}" 2>"$WORK/jpqd.log" \
    || { tail -30 "$WORK/jpqd.log"; fail "jpqd glue with JPQD on $family"; }
  for f in model.jpqd model.onnx export.json compression_config.json predict_results_sst2.jsonl eval_results.json; do
    [ -s "$out/$f" ] || fail "missing $f"
  done
  /usr/bin/python3 - "$out" <<'PY' || fail "the $family run did not prune, quantize and distil"
import json, sys
out = sys.argv[1]
train = [e for e in json.load(open(f"{out}/trainer_state.json"))["log_history"] if "loss" in e]
keys = set().union(*train)
for k in ("task_loss", "distillation_loss", "compression_loss", "compression/movement_sparsity/linear_layer_sparsity"):
    assert k in keys, f"log_history lacks {k}"
export = json.load(open(f"{out}/export.json"))
assert export["pruned"] and export["quantized"], export
print("heads kept", [l["heads_kept"] for l in export["pruning"]["layers"]],
      "FFN kept", [l["num_neurons_kept"] for l in export["pruning"]["layers"]])
PY
  "$JPQD" inspect "$out/model.jpqd" >"$WORK/inspect.txt" || fail "inspect"
  grep -q "quantization    int8" "$WORK/inspect.txt" || fail "inspect does not show an int8 model"
  grep -q "^family  *$family$" "$WORK/inspect.txt" || fail "inspect does not show the family"
  # The deployed model tokenizes with the tokenizer it carries: no --tokenizer_name here.
  "$JPQD" eval -m "$out/model.jpqd" --task_name sst2 --max_seq_length 64 --predictions_file "$WORK/runtime.jsonl" \
    --output "$WORK/runtime_eval.json" 2>"$WORK/eval.log" || { cat "$WORK/eval.log"; fail "jpqd eval"; }
  /usr/bin/python3 "$SRC/tests/integration/deployed_agreement.py" "$out" "$WORK/runtime.jsonl" "$WORK/runtime_eval.json" 0.6 \
    || fail "runtime and training disagree on $family"
  # ONNX Runtime on the same ids, from `jpqd tokenize` with the checkpoint's tokenizer.
  awk -F'\t' 'NR > 1 { print $1 }' "$SRC/data/glue/SST-2/dev.tsv" |
    /usr/bin/python3 -c 'import json,sys; [print(json.dumps({"text": l.rstrip("\n")})) for l in sys.stdin]' >"$WORK/dev.jsonl"
  "$JPQD" tokenize --tokenizer_name_or_path "$out" --input "$WORK/dev.jsonl" --max_length 64 --truncation longest_first >"$WORK/dev_ids.jsonl" \
    || fail "jpqd tokenize with the $family checkpoint's tokenizer"
  # benchmark_app's -i: the same texts through the tokenizer the model carries.
  "$JPQD" benchmark -m "$out/model.jpqd" -i "$WORK/dev.jsonl" -b 8 --seq_len 64 -niter 8 --warmup 1 \
    --json_stats "$WORK/bench.json" >/dev/null || fail "jpqd benchmark -i"
  /usr/bin/python3 - "$WORK" <<'PY' || fail "benchmark -i did not run the tokenized texts"
import json, sys
ids = [json.loads(l)["input_ids"] for l in open(f"{sys.argv[1]}/dev_ids.jsonl")]
stats = json.load(open(f"{sys.argv[1]}/bench.json"))
# 872 texts in 109 requests of 8: the mean over them, as jpqd tokenize counts the tokens.
assert abs(stats["mean_tokens_per_sequence"] - sum(map(len, ids)) / len(ids)) < 1e-9, stats
PY
  /usr/bin/python3 "$SRC/tests/integration/ort_glue_agreement.py" "$SRC" "$out/model.onnx" "$SRC/data/glue/SST-2/dev.tsv" \
    "$WORK/runtime.jsonl" "$WORK" 0.99 "$WORK/dev_ids.jsonl" || fail "ONNX Runtime and jpqd's runtime disagree on $family"
  echo "JPQD on $family: trained, exported, deployed and verified"
}
