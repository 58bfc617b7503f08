# `jpqd export` on what a run leaves behind, not only on its output directory ("bad
# input"): a tiny JPQD run (bert-tiny, configs/tiny-smoke-jpqd.json: warm-up from epoch 1, structured
# masking at the start of epoch 2; 8 steps per epoch, 3 epochs) saves checkpoint-8, -16 and -24.
#  * checkpoint-24 (after structured masking) exports pruned INT8, computing what the run's own export
#    computes;
#  * checkpoint-8 (during warm-up) exports dense, and says so on stderr and in export.json;
#  * a copy of the run without compression_state.safetensors exports FP32 and dense, and says so.
source "$(dirname "$0")/lib.bash"
export JPQD_DATA_DIR=${JPQD_DATA_DIR:-$SRC/data}
run="$WORK/run"
"$JPQD" glue --model_name_or_path bert-tiny --task_name sst2 --max_seq_length 64 --max_train_samples 256 \
  --per_device_train_batch_size 32 --learning_rate 1e-3 --num_train_epochs 3 --do_train \
  --nncf_compression_config "$SRC/configs/tiny-smoke-jpqd.json" --save_strategy steps --save_steps 8 \
  --logging_steps 4 --seed 7 --disable_tqdm --output_dir "$run" 2>"$WORK/run.log" \
  || { tail -30 "$WORK/run.log"; fail "the tiny JPQD run"; }
for step in 8 16 24; do [ -f "$run/checkpoint-$step/config.json" ] || fail "the run saved no checkpoint-$step"; done

# export_to <source dir> <output dir>: jpqd export, its stderr kept in <output dir>.log.
export_to() {
  "$JPQD" export "$1" --output_dir "$2" 2>"$2.log" || { cat "$2.log"; fail "jpqd export $1"; }
  [ -s "$2/model.jpqd" ] && [ -s "$2/model.onnx" ] && [ -s "$2/export.json" ] || fail "jpqd export $1 wrote no model"
}
# export_json <dir> <python expression over e (export.json)>: fails with the file when it is false.
export_json() {
  /usr/bin/python3 - "$1/export.json" "$2" <<'PY' || fail "$1/export.json: expected $2, got $(cat "$1/export.json")"
import json, sys
e = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
predictions() {  # predictions <model.jpqd> <out.jsonl>: jpqd's runtime on 64 SST-2 dev sentences
  "$JPQD" eval -m "$1" --task_name sst2 --max_seq_length 64 --max_eval_samples 64 --predictions_file "$2" \
    --output "$2.json" 2>"$2.log" || { cat "$2.log"; fail "jpqd eval $1"; }
}

echo "== a checkpoint after structured masking"
export_to "$run/checkpoint-24" "$WORK/ckpt24"
export_json "$WORK/ckpt24" 'e["pruned"] and e["quantized"] and e["notes"] == []'
"$JPQD" inspect "$WORK/ckpt24/model.jpqd" >"$WORK/ckpt24.inspect" || fail "inspect checkpoint-24's model"
grep -q "quantization    int8" "$WORK/ckpt24.inspect" || fail "checkpoint-24's model.jpqd is not INT8"
# The last checkpoint holds the final model: its export must compute what the run's own export computes.
predictions "$run/model.jpqd" "$WORK/run.jsonl"
predictions "$WORK/ckpt24/model.jpqd" "$WORK/ckpt24.jsonl"
cmp -s "$WORK/run.jsonl" "$WORK/ckpt24.jsonl" || fail "checkpoint-24 exports another model than the run did"

echo "== a checkpoint saved during warm-up (before structured masking)"
dense_note="the run never reached structured masking (end of warm-up): exported dense, masks folded"
export_to "$run/checkpoint-8" "$WORK/ckpt8"
export_json "$WORK/ckpt8" "not e['pruned'] and e['quantized'] and '$dense_note' in e['notes']"
grep -qF -- "- WARNING - jpqd - export: $dense_note" "$WORK/ckpt8.log" || fail "no warning: $(cat "$WORK/ckpt8.log")"

echo "== a run without compression_state.safetensors"
cp -r "$run" "$WORK/stateless" && rm -r "$WORK/stateless"/checkpoint-* "$WORK/stateless/compression_state.safetensors"
stateless_note="$WORK/stateless: compression_config.json but no compression_state.safetensors (no mask or quantizer state): exported the plain FP32 dense model"
export_to "$WORK/stateless" "$WORK/stateless_out"
export_json "$WORK/stateless_out" "not e['pruned'] and not e['quantized'] and e['notes'] == ['$stateless_note']"
grep -qF -- "- WARNING - jpqd - export: $stateless_note" "$WORK/stateless_out.log" \
  || fail "no warning: $(cat "$WORK/stateless_out.log")"
"$JPQD" inspect "$WORK/stateless_out/model.jpqd" >"$WORK/stateless.inspect" || fail "inspect the FP32 export"
grep -q "quantization    none" "$WORK/stateless.inspect" || fail "the stateless export is not FP32"
echo "jpqd export: checkpoints and a run without compression state export what they hold, and say so"
