# Movement sparsity alone, through the CLI, removes whole attention heads: a fine-tuned bert-tiny is trained on
# with a movement-only config (32x32 attention blocks, FFN rows/columns, regulariser 0.03); structured masking
# must drop at least one of its 4 heads (but not all) and FFN neurons in every layer. `jpqd export <run dir>`
# then writes the same physically pruned FP32 model the run exported itself, and jpqd's runtime predicts what
# the trained model predicted. `jpqd report` rebuilds the run's compression report on its own.
source "$(dirname "$0")/lib.bash"
common=(--task_name sst2 --max_seq_length 64 --per_device_train_batch_size 32 --learning_rate 1e-3
        --save_strategy no --seed 7 --disable_tqdm --logging_steps 8)
# The fine-tuned start: the fixture sst2_tiny_2000 (tests/integration/fixtures.bash), 2 epochs on 2,000 sentences.
fine_tuned=$(fixture sst2_tiny_2000)
cat >"$WORK/movement.json" <<'JSON'
{
  "algorithm": "movement_sparsity",
  "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 3, "importance_regularization_factor": 0.03,
             "enable_structured_masking": true},
  "sparse_structure_by_scopes": [
    {"mode": "block", "sparse_factors": [32, 32], "target_scopes": "{re}.*BertAttention.*"},
    {"mode": "per_dim", "axis": 0, "target_scopes": "{re}.*BertIntermediate.*"},
    {"mode": "per_dim", "axis": 1, "target_scopes": "{re}.*BertOutput.*"}
  ],
  "ignored_scopes": ["{re}.*NNCFEmbedding.*", "{re}.*LayerNorm.*", "{re}.*pooler.*", "{re}.*classifier.*"]
}
JSON
out="$WORK/movement"
"$JPQD" glue --model_name_or_path "$fine_tuned" --nncf_compression_config "$WORK/movement.json" \
  --max_train_samples 1024 --num_train_epochs 4 --do_train --do_eval --do_predict --output_dir "$out" "${common[@]}" \
  2>"$WORK/movement.log" || { tail -30 "$WORK/movement.log"; fail "movement-only run"; }

/usr/bin/python3 - "$out" <<'PY' || fail "structured masking did not remove whole heads as expected"
import json, sys
out = sys.argv[1]
layers = json.load(open(f"{out}/structured_sparsity.json"))["layers"]
heads = sum(l["attention"]["num_heads_kept"] for l in layers)
total = sum(l["attention"]["num_heads"] for l in layers)
assert 0 < heads < total, f"{heads} of {total} heads kept"
for l in layers:
    assert l["ffn"]["neurons_kept"] < l["ffn"]["intermediate_size"], l
log = json.load(open(f"{out}/trainer_state.json"))["log_history"]
factors = [e["compression/movement_sparsity/importance_regularization_factor"] for e in log
           if "compression/movement_sparsity/importance_regularization_factor" in e]
assert factors[0] == 0.0 and abs(factors[-1] - 0.03) < 1e-6, factors
# The regulariser drives sparsity up during warm-up (epochs 1 to 3 of 4; 32 steps per epoch).
sparsity = {e["step"]: e["compression/movement_sparsity/linear_layer_sparsity"] for e in log
            if "compression/movement_sparsity/linear_layer_sparsity" in e}
in_warmup = [v for step, v in sorted(sparsity.items()) if 32 < step <= 96]
assert in_warmup[-1] > in_warmup[0] + 0.3, in_warmup
export = json.load(open(f"{out}/export.json"))
assert export["pruned"] and not export["quantized"], export
print(f"heads kept {heads}/{total}, FFN neurons kept", [l["ffn"]["neurons_kept"] for l in layers])
PY

# `jpqd report` alone rebuilds a finished run's report: the compression rate, the per-layer
# tables, and the sparsity figure with the warm-up (epochs 1-3 = steps 32-96) and structured masking marked.
rm -r "$out/report"
"$JPQD" report "$out" 2>"$WORK/report.log" || { cat "$WORK/report.log"; fail "jpqd report"; }
for f in report.md report.json sparsity.png sparsity.gp parameters_per_layer.png heads_per_layer.png; do
  [ -s "$out/report/$f" ] || fail "jpqd report wrote no $f"
done
/usr/bin/python3 - "$out" <<'PY' || fail "the report lacks what it should show"
import json, os, re, sys
out = sys.argv[1]
report = f"{out}/report"
md = open(f"{report}/report.md").read()
data = json.load(open(f"{report}/report.json"))
layers = json.load(open(f"{out}/structured_sparsity.json"))["layers"]
# Compression rate: the pruned FP32 model.jpqd against the dense FP32 checkpoint, as a number and in the table.
rate = os.path.getsize(f"{out}/model.safetensors") / os.path.getsize(f"{out}/model.jpqd")
assert rate > 1.0, rate
assert abs(data["exported_files"]["model.jpqd"]["compression_rate"] - rate) < 1e-9, data["exported_files"]
assert f"| model.jpqd | {os.path.getsize(out + '/model.jpqd')} | {rate:.2f}x |" in md, md
# Per-layer table: one row per encoder layer with the heads and neurons structured masking kept.
for l in layers:
    row = (f"| {l['layer']} | {l['attention']['num_heads_kept']} / {l['attention']['num_heads']} | "
           f"{l['ffn']['neurons_kept']} / {l['ffn']['intermediate_size']} | ")
    assert row in md, (row, md)
assert "| total | | |" in md and "![heads per layer](heads_per_layer.png)" in md, md
gp = open(f"{report}/sparsity.gp").read()
assert "set object 1 rect from 32, graph 0 to 96, graph 1" in gp and "'warm-up'" in gp, gp
assert "set arrow 1 from 96, graph 0 to 96, graph 1" in gp and "'structured masking'" in gp, gp
for png in ("sparsity.png", "parameters_per_layer.png", "heads_per_layer.png"):
    assert open(f"{report}/{png}", "rb").read(8) == b"\x89PNG\r\n\x1a\n", png
leftovers = [f for f in os.listdir(report) if ".tmp" in f]
assert not leftovers, leftovers
print(f"report: compression rate {rate:.2f}x, figures drawn")
PY
# A plotter that dies after drawing part of a figure (as a killed gnuplot would) leaves no PNG under a final name.
cat >"$WORK/dying_gnuplot" <<'SH'
#!/bin/sh
# jpqd calls: <gnuplot> -e "outfile = '<path>'" <script>
out=$(printf '%s' "$2" | sed "s/^outfile = '\(.*\)'$/\1/")
printf '\211PNG half a figure' >"$out"
exit 1
SH
chmod +x "$WORK/dying_gnuplot"
expect_error 3 "report: .*dying_gnuplot failed on" -- "$JPQD" report "$out" --report_dir "$WORK/dying_report" \
  --gnuplot "$WORK/dying_gnuplot"
leftovers=$(find "$WORK/dying_report" -name '*.png*' -o -name '.*tmp*')
[ -z "$leftovers" ] || fail "a failed plot left $leftovers"

"$JPQD" export "$out" --output_dir "$WORK/exported" 2>"$WORK/export.log" || { cat "$WORK/export.log"; fail "jpqd export"; }
[ -s "$WORK/exported/model.onnx" ] || fail "jpqd export wrote no model.onnx"
# Only the provenance in the header may differ from the model the run exported: same tensors, same outputs.
tensors() { "$JPQD" inspect "$1" | awk '/^tensor /{t=1} t{print $1, $2, $3, $4}'; }
[ "$(tensors "$out/model.jpqd")" = "$(tensors "$WORK/exported/model.jpqd")" ] || fail "jpqd export wrote other tensors"
"$JPQD" inspect "$WORK/exported/model.jpqd" >"$WORK/inspect.txt" || fail "inspect"
grep -q "quantization    none" "$WORK/inspect.txt" || fail "a movement-only export must stay FP32"
for m in run exported; do
  model="$out/model.jpqd"; [ $m = exported ] && model="$WORK/exported/model.jpqd"
  "$JPQD" eval -m "$model" --task_name sst2 --max_seq_length 64 --predictions_file "$WORK/$m.jsonl" \
    --output "$WORK/$m.json" 2>"$WORK/eval.log" || { cat "$WORK/eval.log"; fail "jpqd eval of the $m model"; }
done
cmp -s "$WORK/run.jsonl" "$WORK/exported.jsonl" || fail "the re-exported model computes other logits"
/usr/bin/python3 - "$out" "$WORK" <<'PY' || fail "the pruned runtime model disagrees with training"
import json, sys
out, work = sys.argv[1:]
trained = [json.loads(l)["prediction"] for l in open(f"{out}/predict_results_sst2.jsonl")]
deployed = [json.loads(l)["prediction"] for l in open(f"{work}/exported.jsonl")]
same = sum(a == b for a, b in zip(trained, deployed)) / len(trained)
print(f"same prediction on {same:.4f} of SST-2 dev")
assert len(trained) == len(deployed) == 872 and same >= 0.995
PY
echo "movement sparsity removed whole heads; export and runtime agree"
