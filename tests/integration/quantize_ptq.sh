# Post-training quantization (jpqd quantize): a bert-tiny fine-tuned on SST-2 in float32 is quantized without
# training, with the quantizers QAT would place, ranges from 300 calibration sentences, and once with SmoothQuant.
# The output directory is what QAT writes (INT8 model.jpqd and model.onnx, export.json, the checkpoint with its
# compression state, which `jpqd export` re-exports to the same predictions); the deployed model (`jpqd eval`) is
# within 1 point of the float32 model on SST-2 dev and agrees with the fake-quantized LibTorch model and with
# ONNX Runtime. A question-answering checkpoint is quantized on SQuAD windows. Bad input fails in one line and
# leaves --output_dir as it was.
source "$(dirname "$0")/lib.bash"
# The float32 model: the fixture sst2_tiny_8000 (tests/integration/fixtures.bash), 2 epochs at lr 1e-3.
fp32_dir=$(fixture sst2_tiny_8000)
# Calibration draws from the first 2,000 training sentences, so the test does not tokenize all 67,349.
head -2001 "$SRC/data/glue/SST-2/train.tsv" >"$WORK/train.tsv"
common=(--model_name_or_path "$fp32_dir" --task_name sst2 --max_seq_length 64 --pad_to_max_length false
        --per_device_eval_batch_size 32 --disable_tqdm)
deployed_eval() {  # deployed_eval <run dir> <name>: SST-2 dev on jpqd's runtime, predictions in $WORK/<name>.jsonl
  "$JPQD" eval -m "$1/model.jpqd" --task_name sst2 --max_seq_length 64 --predictions_file "$WORK/$2.jsonl" \
    --output "$WORK/$2_eval.json" 2>"$WORK/$2_eval.log" >/dev/null || { cat "$WORK/$2_eval.log"; fail "jpqd eval $1"; }
}

out="$WORK/ptq"
"$JPQD" quantize "${common[@]}" --train_file "$WORK/train.tsv" --seed 1 --output_dir "$out" --do_eval 2>"$WORK/ptq.log" ||
  { tail -20 "$WORK/ptq.log"; fail "jpqd quantize"; }
for f in model.jpqd model.onnx export.json config.json model.safetensors compression_config.json \
         compression_state.safetensors quantize_results.json eval_results.json vocab.txt; do
  [ -s "$out/$f" ] || fail "missing $f"
done
[ -z "$(find "$WORK" -maxdepth 1 -name '.ptq.tmp*')" ] || fail "a staging directory was left behind"
grep -q '"quantized": *true' "$out/export.json" || fail "jpqd quantize did not export an INT8 model"
"$JPQD" inspect "$out/model.jpqd" >"$WORK/inspect.txt" || fail "inspect"
grep -q "quantization    int8" "$WORK/inspect.txt" || fail "inspect does not show an int8 model"
deployed_eval "$out" ptq
# What `jpqd export` makes of the output directory predicts exactly what jpqd quantize exported.
"$JPQD" export "$out" --output_dir "$WORK/reexport" 2>"$WORK/reexport.log" || { cat "$WORK/reexport.log"; fail "jpqd export"; }
deployed_eval "$WORK/reexport" reexport
cmp -s "$WORK/ptq.jsonl" "$WORK/reexport.jsonl" || fail "jpqd export of the quantized run predicts otherwise"

# SmoothQuant with NNCF's transformer alpha, on other calibration samples.
sq="$WORK/ptq_sq"
"$JPQD" quantize "${common[@]}" --train_file "$WORK/train.tsv" --seed 2 --smooth_quant_alpha 0.95 --output_dir "$sq" 2>"$WORK/ptq_sq.log" ||
  { tail -20 "$WORK/ptq_sq.log"; fail "jpqd quantize --smooth_quant_alpha"; }
deployed_eval "$sq" ptq_sq

fp32=$(json_value "$fp32_dir/eval_results.json" eval_accuracy)
/usr/bin/python3 - "$fp32" "$out" "$sq" "$WORK" "$SRC" <<'PY' || fail "post-training quantization"
import json, sys
fp32, out, sq, work, src = float(sys.argv[1]), *sys.argv[2:]
load = lambda path: json.load(open(path))
assert fp32 >= 0.65, f"the float32 model did not learn ({fp32})"
trained = load(f"{out}/eval_results.json")["eval_accuracy"]
deployed, deployed_sq = (load(f"{work}/{n}_eval.json")["eval_accuracy"] for n in ("ptq", "ptq_sq"))
print(f"SST-2 dev accuracy: float32 {fp32:.4f}, PTQ fake-quantized {trained:.4f}, PTQ deployed {deployed:.4f}, "
      f"PTQ + SmoothQuant deployed {deployed_sq:.4f}")
# Margin: 1 point below float32 (8-bit PTQ of this model costs well under that; a broken range init costs 10+).
assert deployed >= fp32 - 0.01 and deployed_sq >= fp32 - 0.01, (fp32, deployed, deployed_sq)
assert abs(trained - deployed) <= 0.003, f"the runtime and the fake-quantized model disagree: {trained} vs {deployed}"
# Exactly --calibration_samples distinct sentences of the 2,000, drawn by the seed.
calibration = [load(f"{d}/quantize_results.json")["calibration"]["indices"] for d in (out, sq)]
for indices in calibration:
    assert len(indices) == 300 == len(set(indices)) and all(0 <= i < 2000 for i in indices), indices[:10]
assert calibration[0] != calibration[1], "seeds 1 and 2 drew the same calibration samples"
# The default preset places what QAT and JPQD place: the quantization section of configs/bert-base-jpqd.json.
config = load(f"{out}/compression_config.json")
assert config["initializer"]["range"].pop("num_init_samples") == 300, config
shipped = next(a for a in load(f"{src}/configs/bert-base-jpqd.json") if a["algorithm"] == "quantization")
shipped["initializer"].pop("batchnorm_adaptation")  # BERT has no BatchNorm
shipped["initializer"]["range"].pop("num_init_samples")
assert config == shipped, (config, shipped)
smooth = load(f"{sq}/quantize_results.json")["smooth_quant"]
assert [a["name"] for a in smooth["applied"]] == [f"bert.encoder.layer.{l}.attention.output.dense" for l in (0, 1)], smooth
assert load(f"{out}/quantize_results.json")["smooth_quant"] is None
PY
# ONNX Runtime runs the exported QDQ model.onnx and agrees with jpqd's runtime on >= 99% of SST-2 dev.
if [ -d "$SRC/tools/onnxruntime/node_modules/onnxruntime-node" ] && command -v node >/dev/null; then
  /usr/bin/python3 "$SRC/tests/integration/ort_glue_agreement.py" "$SRC" "$out/model.onnx" \
    "$SRC/data/glue/SST-2/dev.tsv" "$WORK/ptq.jsonl" "$WORK" 0.99 || fail "ONNX Runtime and jpqd's runtime disagree"
else
  echo "onnxruntime-node is not installed: ONNX Runtime agreement not checked"
fi

# Question answering: a bert-tiny with a QA head (one training step, so the test stays cheap) calibrates on SQuAD
# windows of the first article; the deployed model reproduces the fake-quantized model's F1 on other articles.
squad="$SRC/data/squad/dev-v1.1.json"
qa=(--train_file "$squad" --validation_file "$squad" --train_articles 1 --max_seq_length 128 --doc_stride 64)
"$JPQD" qa --model_name_or_path bert-tiny --do_train --max_steps 1 --max_train_samples 64 --save_strategy no \
  --output_dir "$WORK/qa" "${qa[@]}" --disable_tqdm 2>"$WORK/qa.log" || { tail -20 "$WORK/qa.log"; fail "jpqd qa"; }
"$JPQD" quantize --model_name_or_path "$WORK/qa" "${qa[@]}" --calibration_samples 64 --smooth_quant_alpha 0.5 \
  --max_eval_samples 40 --do_eval --output_dir "$WORK/qa_ptq" --disable_tqdm 2>"$WORK/qa_ptq.log" ||
  { tail -20 "$WORK/qa_ptq.log"; fail "jpqd quantize of a QA model"; }
"$JPQD" eval -m "$WORK/qa_ptq/model.jpqd" --task_name squad "${qa[@]:2}" --max_eval_samples 40 \
  --output "$WORK/qa_eval.json" 2>"$WORK/qa_eval.log" >/dev/null || { cat "$WORK/qa_eval.log"; fail "jpqd eval squad"; }
grep -q '"quantized": *true' "$WORK/qa_ptq/export.json" || fail "the QA model was not exported in INT8"
trained_f1=$(json_value "$WORK/qa_ptq/eval_results.json" eval_f1)
deployed_f1=$(json_value "$WORK/qa_eval.json" eval_f1)
/usr/bin/python3 -c 'import sys; a, b = map(float, sys.argv[1:]); assert abs(a - b) <= 1e-6, (a, b)' \
  "$trained_f1" "$deployed_f1" || fail "SQuAD F1: fake-quantized $trained_f1, deployed $deployed_f1"
echo "SQuAD F1 (1-step QA model): fake-quantized $trained_f1, deployed $deployed_f1"

# Bad input: one error line, a documented exit code, and --output_dir not created (or left as it was).
bad="$WORK/bad"
expect_bad() {  # expect_bad <exit code> <text> <flags...> (calibrating on $train)
  local code=$1 text=$2; shift 2
  expect_error "$code" "$text" -- "$JPQD" quantize "${common[@]}" --train_file "$train" --output_dir "$bad" "$@"
  [ ! -e "$bad" ] || fail "--output_dir was created by a failed run: $*"
  [ -z "$(find "$WORK" -maxdepth 1 -name '.bad.tmp*')" ] || fail "a staging directory was left behind: $*"
}
train="$WORK/train.tsv"
echo "== ptq.calibration-smaller-than-a-batch"
expect_bad 2 "--calibration_samples 16 is smaller than one batch (--per_device_eval_batch_size 32)" --calibration_samples 16
head -6 "$SRC/data/glue/SST-2/train.tsv" >"$WORK/five.tsv"
train="$WORK/five.tsv" expect_bad 2 "the calibration set is smaller than one batch: $WORK/five.tsv has 5 usable examples"
echo "== ptq.no-usable-examples"
printf 'sentence\tlabel\n\t0\n \t1\n' >"$WORK/empty.tsv"
train="$WORK/empty.tsv" expect_bad 2 "$WORK/empty.tsv has no usable calibration example (2 examples, none with text)"
echo "== ptq.smooth-quant-alpha"
expect_bad 2 "--smooth_quant_alpha must be in \[0, 1\], got 1.5" --smooth_quant_alpha 1.5
expect_bad 2 "--smooth_quant_alpha must be in \[0, 1\], got -0.5" --smooth_quant_alpha=-0.5
echo "== ptq.already-quantized"
expect_error 2 "--model_name_or_path $out: already compressed (compression_state.safetensors" -- \
  "$JPQD" quantize --model_name_or_path "$out" --task_name sst2 --output_dir "$bad"
expect_error 2 "--model_name_or_path $out/model.jpqd: a deployed model.jpqd, quantized already" -- \
  "$JPQD" quantize --model_name_or_path "$out/model.jpqd" --task_name sst2 --output_dir "$bad"
[ ! -e "$bad" ] || fail "--output_dir was created by a failed run"
echo "== ptq.unknown-preset"
expect_bad 2 "--preset: unknown preset \"fast\" (known: mixed, performance)" --preset fast
expect_bad 2 "--preset and --quantization_config both given" --preset performance \
  --quantization_config "$SRC/configs/bert-base-qat.json"
echo "== ptq.not-fine-tuned"
expect_error 2 "models/bert-mini-imdb: not a fine-tuned BertForSequenceClassification (config.json's architectures: BertForMaskedLM)" \
  -- "$JPQD" quantize --model_name_or_path "$SRC/models/bert-mini-imdb" --task_name sst2 --train_file "$WORK/train.tsv" \
  --output_dir "$bad"
[ ! -e "$bad" ] || fail "--output_dir was created by a failed run"
echo "== ptq.output-not-empty"
mkdir -p "$bad" && echo keep >"$bad/notes.txt"
expect_error 2 "Output directory ($bad) already exists and is not empty" -- \
  "$JPQD" quantize "${common[@]}" --train_file "$train" --output_dir "$bad"
[ "$(ls -A "$bad")" = "notes.txt" ] && [ "$(cat "$bad/notes.txt")" = keep ] || fail "a refused --output_dir was changed"
echo "post-training quantization: within 1 point of float32, exported as after QAT, bad input refused"
