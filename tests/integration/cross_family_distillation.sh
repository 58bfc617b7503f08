# Distillation across families: a RoBERTa teacher (byte-level BPE tokenizer from make_family_tokenizer.py)
# fine-tuned on part of SST-2 teaches a DistilBERT student that reads the shipped bert-base-uncased WordPiece
# vocabulary; each example reaches the teacher in its own token ids. Question answering refuses such a
# teacher with one error line, as span logits of two tokenizations index different tokens.
source "$(dirname "$0")/lib.bash"
/usr/bin/python3 "$SRC/tests/integration/make_family_tokenizer.py" roberta "$SRC" "$WORK/tok" ||
  fail "making the RoBERTa tokenizer"
common=(--task_name sst2 --max_seq_length 64 --pad_to_max_length false --max_train_samples 500 --max_eval_samples 200
        --per_device_train_batch_size 32 --per_device_eval_batch_size 64 --learning_rate 1e-3 --logging_steps 4
        --save_strategy no --disable_tqdm --seed 42)

# Five epochs leave the teacher confident on these sentences: a distillation loss well above the logged rounding.
"$JPQD" glue --model_name_or_path roberta-tiny --tokenizer_name "$WORK/tok" --do_train --num_train_epochs 5 \
  --output_dir "$WORK/teacher" "${common[@]}" 2>"$WORK/teacher.log" || { tail -20 "$WORK/teacher.log"; fail "training the RoBERTa teacher"; }
grep -q '"model_type": "roberta"' "$WORK/teacher/config.json" || fail "the teacher is not a roberta checkpoint"

"$JPQD" glue --model_name_or_path distilbert-tiny --teacher_model_name_or_path "$WORK/teacher" \
  --distillation_weight 0.9 --do_train --do_eval --num_train_epochs 1 --output_dir "$WORK/student" "${common[@]}" 2>"$WORK/student.log" \
  || { tail -30 "$WORK/student.log"; fail "distilling the RoBERTa teacher into DistilBERT"; }
/usr/bin/python3 - "$WORK/student" <<'PY' || fail "the DistilBERT student was not distilled"
import json, sys
out = sys.argv[1]
assert json.load(open(f"{out}/config.json"))["model_type"] == "distilbert"
train = [e for e in json.load(open(f"{out}/trainer_state.json"))["log_history"] if "loss" in e]
assert train, "no training log entries"
kd = [e["distillation_loss"] for e in train]
assert all(k > 0.01 for k in kd), kd
assert "eval_loss" in json.load(open(f"{out}/eval_results.json"))
print("distillation_loss", kd)
PY

# The QA refusal comes before SQuAD is read or any weights are loaded.
squad="$SRC/data/squad/dev-v1.1.json"
expect_error 2 "the teacher's tokenizer differs from the student's, and question answering compares span logits" \
  -- "$JPQD" qa --model_name_or_path distilbert-tiny --teacher_model_name_or_path "$WORK/teacher" --do_train \
  --train_file "$squad" --train_articles 1 --max_seq_length 64 --doc_stride 16 --max_steps 1 --disable_tqdm \
  --output_dir "$WORK/qa"
[ ! -e "$WORK/qa" ] || fail "the refused qa run created its output directory"
echo "a RoBERTa teacher distilled into a DistilBERT student; qa refused the cross-tokenizer teacher"
