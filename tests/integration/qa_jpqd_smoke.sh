# JPQD for question answering at smoke scale: the shipped SQuAD v1.1 dev file is split by
# article (the first 3 articles train, the others evaluate - stated wherever a number is reported). A bert-tiny
# teacher is fine-tuned, then a bert-tiny student runs movement sparsity + QAT + distillation in one loop; the
# run must log all three losses, report the official EM/F1, export an INT8 model.jpqd, and jpqd's runtime must
# reproduce the trained model's EM/F1 on the held-out questions.
source "$(dirname "$0")/lib.bash"
squad="$SRC/data/squad/dev-v1.1.json"
common=(--train_file "$squad" --validation_file "$squad" --train_articles 3 --max_seq_length 128 --doc_stride 64
        --max_train_samples 600 --max_eval_samples 300 --per_device_train_batch_size 16 --per_device_eval_batch_size 64
        --learning_rate 2e-3 --logging_steps 10 --save_strategy no --seed 11 --disable_tqdm)
"$JPQD" qa --model_name_or_path bert-tiny --do_train --num_train_epochs 2 --output_dir "$WORK/teacher" "${common[@]}" \
  2>"$WORK/teacher.log" || { tail -20 "$WORK/teacher.log"; fail "QA teacher"; }
cat >"$WORK/jpqd.json" <<'JSON'
[
  {"algorithm": "movement_sparsity",
   "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 2, "importance_regularization_factor": 0.02,
              "enable_structured_masking": true},
   "sparse_structure_by_scopes": [
     {"mode": "block", "sparse_factors": [32, 32], "target_scopes": "{re}.*BertAttention.*"},
     {"mode": "per_dim", "axis": 0, "target_scopes": "{re}.*BertIntermediate.*"},
     {"mode": "per_dim", "axis": 1, "target_scopes": "{re}.*BertOutput.*"}],
   "ignored_scopes": ["{re}.*NNCFEmbedding.*", "{re}.*LayerNorm.*", "{re}.*qa_outputs.*"]},
  {"algorithm": "quantization", "preset": "mixed", "overflow_fix": "enable",
   "initializer": {"range": {"num_init_samples": 32, "type": "percentile",
                             "params": {"min_percentile": 0.01, "max_percentile": 99.99}}},
   "scope_overrides": {"activations": {"{re}.*matmul_0": {"mode": "symmetric"}}},
   "ignored_scopes": ["{re}.*__add___[0-1]", "{re}.*layer_norm_0"]}
]
JSON
out="$WORK/jpqd"
"$JPQD" qa --model_name_or_path bert-tiny --teacher_model_name_or_path "$WORK/teacher" \
  --nncf_compression_config "$WORK/jpqd.json" --distillation_weight 0.5 --do_train --do_eval --num_train_epochs 3 \
  --output_dir "$out" "${common[@]}" 2>"$WORK/jpqd.log" || { tail -30 "$WORK/jpqd.log"; fail "qa with JPQD"; }
for f in model.jpqd model.onnx structured_sparsity.json eval_results.json report/report.md; do
  [ -s "$out/$f" ] || fail "missing $f"
done
"$JPQD" eval -m "$out/model.jpqd" --task_name squad --validation_file "$squad" --train_articles 3 \
  --max_seq_length 128 --doc_stride 64 --max_eval_samples 300 --output "$WORK/runtime_eval.json" \
  2>"$WORK/eval.log" >/dev/null || { cat "$WORK/eval.log"; fail "jpqd eval squad"; }
/usr/bin/python3 - "$out" "$WORK" <<'PY' || fail "the QA JPQD run is incomplete or the runtime disagrees"
import json, sys
out, work = sys.argv[1:]
log = json.load(open(f"{out}/trainer_state.json"))["log_history"]
keys = set().union(*[e for e in log if "loss" in e])
for k in ("task_loss", "distillation_loss", "compression_loss", "compression/movement_sparsity/linear_layer_sparsity",
          "compression/quantization/weight_quantizers"):
    assert k in keys, f"log_history lacks {k}"
trained = json.load(open(f"{out}/eval_results.json"))
deployed = json.load(open(f"{work}/runtime_eval.json"))
export = json.load(open(f"{out}/export.json"))
assert export["quantized"], export
print(f"SQuAD (trained on 3 articles of dev-v1.1, evaluated on 300 held-out questions): "
      f"EM/F1 trained {trained['eval_exact_match']:.2f}/{trained['eval_f1']:.2f}, "
      f"deployed {deployed['eval_exact_match']:.2f}/{deployed['eval_f1']:.2f}")
# One answer of 300 moves EM by 0.33 points: the deployed INT8 model may differ on at most 3 answers.
assert abs(trained["eval_exact_match"] - deployed["eval_exact_match"]) <= 1.0
assert abs(trained["eval_f1"] - deployed["eval_f1"]) <= 1.0
PY
echo "QA JPQD smoke: trained, exported, deployed and verified"
