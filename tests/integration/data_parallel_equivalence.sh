# Issue 10's equivalence: JPQD (movement sparsity through structured masking, quantization with range
# initialisation, distillation) of a tiny BERT on 2 processes (jpqd launch, Gloo on 127.0.0.1) with batch 16
# each ends with the same weights, masks, quantizer ranges, logged losses and metrics as 1 process with
# batch 32 and the same seed. Also: a distributed run resumed from its checkpoint ends where the
# uninterrupted one did, only rank 0 writes, and ranks started with different settings or data stop at
# start-up naming what differs.
#
# Dropout is off in the model: it is the one thing a single process cannot draw the way two do. The
# training set (256) is a multiple of the global batch, so the sampler pads nothing.
source "$(dirname "$0")/lib.bash"
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
common=(--task_name sst2 --max_seq_length 32 --max_train_samples 256 --max_eval_samples 101
        --per_device_eval_batch_size 16 --logging_steps 4 --seed 11 --disable_tqdm)
jpqd_args=(--model_name_or_path "$WORK/student" --teacher_model_name_or_path "$WORK/teacher"
           --nncf_compression_config "$SRC/configs/tiny-smoke-jpqd.json" --distillation_weight 0.5
           --do_train --do_eval --learning_rate 1e-3 --num_train_epochs 3 "${common[@]}")

# The starting checkpoints: a dropout-free bert-tiny, and a teacher trained from it for a few steps.
"$JPQD" glue --model_name_or_path bert-tiny --do_train --max_steps 1 --per_device_train_batch_size 32 \
  --save_strategy no --output_dir "$WORK/student" "${common[@]}" 2>"$WORK/init.log" || { tail "$WORK/init.log"; fail "init"; }
/usr/bin/python3 - "$WORK/student/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["hidden_dropout_prob"] = c["attention_probs_dropout_prob"] = 0.0
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
"$JPQD" glue --model_name_or_path "$WORK/student" --do_train --max_steps 24 --learning_rate 1e-3 \
  --per_device_train_batch_size 32 --save_strategy no --output_dir "$WORK/teacher" "${common[@]}" \
  2>"$WORK/teacher.log" || { tail "$WORK/teacher.log"; fail "teacher"; }

run() {  # run <name> <launcher and command...>: 1 thread per process throughout
  local name=$1; shift
  "$@" --threads 1 --output_dir "$WORK/$name" 2>"$WORK/$name.log" || { tail -20 "$WORK/$name.log"; fail "$name"; }
}
two() { "$JPQD" launch --nproc_per_node 2 --master_port "$(port)" -- jpqd glue "${jpqd_args[@]}" --per_device_train_batch_size 16 "$@"; }
run one "$JPQD" glue "${jpqd_args[@]}" --per_device_train_batch_size 32 --save_strategy no
run two two --save_steps 8
# Resumed after epoch 1 (before structured masking), distributed again.
run resumed two --save_strategy no --resume_from_checkpoint "$WORK/two/checkpoint-8"
# Float rounding alone moves a run this much: the same single process, its batch split into 2 x 16.
run accum "$JPQD" glue "${jpqd_args[@]}" --per_device_train_batch_size 16 --gradient_accumulation_steps 2 --save_strategy no
# After one step the difference is rounding only (Adam has not yet amplified it).
run one_step "$JPQD" glue "${jpqd_args[@]}" --per_device_train_batch_size 32 --save_strategy no --max_steps 1
run two_step two --save_strategy no --max_steps 1

grep -q "data-parallel training: rank 0 of 2" "$WORK/two.log" || fail "the 2-process run did not run data-parallel"
[ "$(grep -c 'Running training' "$WORK/two.log")" -eq 1 ] || fail "rank 1 logged at info level: $(grep 'Running training' "$WORK/two.log")"

/usr/bin/python3 - "$WORK" <<'PY' || fail "1 process x 32 and 2 processes x 16 differ"
import json, struct, sys
import numpy as np
work = sys.argv[1]

def tensors(path):  # safetensors: 8-byte header length, JSON header, raw little-endian data
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "BOOL": np.bool_, "U8": np.uint8, "F16": np.float16}
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dtypes[t["dtype"]]).reshape(t["shape"])
    return out

def load(run):
    t = tensors(f"{work}/{run}/model.safetensors")
    t.update(tensors(f"{work}/{run}/compression_state.safetensors"))
    return t

def largest_difference(a, b):  # over every tensor but the masks, which must match exactly
    assert a.keys() == b.keys(), "different tensors"
    masks = [k for k in a if "mask" in k]
    differing = {k: int((a[k] != b[k]).sum()) for k in masks if (a[k] != b[k]).any()}
    assert not differing, f"masks differ: {differing}"
    return max((float(np.abs(a[k].astype(np.float64) - b[k].astype(np.float64)).max()), k) for k in a if k not in masks)

def history(run):
    return [e for e in json.load(open(f"{work}/{run}/trainer_state.json"))["log_history"] if "loss" in e]

def same_run(ref, other, weight_tolerance):
    problems = []
    try:
        diff, name = largest_difference(load(ref), load(other))
        if diff > weight_tolerance:
            problems.append(f"{name} differs by {diff:.3g} (tolerance {weight_tolerance:.3g})")
    except AssertionError as e:
        problems.append(str(e))
        diff = float("nan")
    h1, h2 = history(ref), history(other)
    if [e["step"] for e in h1] != [e["step"] for e in h2]:
        problems.append("different logging steps")
    for a, b in zip(h1, h2):
        for k, v in a.items():  # logged with 4 decimals
            if isinstance(v, (int, float)) and not np.isclose(v, b[k], rtol=1e-3, atol=2e-4):
                problems.append(f"step {a['step']}: {k} {v} vs {b[k]}")
    for f in ("eval_results.json", "structured_sparsity.json"):
        try:
            e1, e2 = json.load(open(f"{work}/{ref}/{f}")), json.load(open(f"{work}/{other}/{f}"))
        except FileNotFoundError:
            continue
        if f == "eval_results.json":
            if e1["eval_accuracy"] != e2["eval_accuracy"] or not np.isclose(e1["eval_loss"], e2["eval_loss"], rtol=1e-3):
                problems.append(f"evaluation: {e1} vs {e2}")
        elif e1 != e2:
            problems.append("structured masking resolved different heads or neurons")
    if problems:
        sys.exit(f"{ref} vs {other}:\n  " + "\n  ".join(problems))
    print(f"{ref} vs {other}: same masks, heads, {len(h1)} logged losses and evaluation; weights within {diff:.3g}")
    return diff

same_run("one_step", "two_step", 1e-5)
rounding, _ = largest_difference(load("one"), load("accum"))
print(f"one vs accum (rounding only): weights within {rounding:.3g}")
same_run("one", "two", max(4 * rounding, 1e-5))
same_run("two", "resumed", 1e-5)
PY
[ -s "$WORK/two/model.jpqd" ] && [ -s "$WORK/two/model.onnx" ] || fail "the 2-process run exported nothing"

# Ranks that were started differently stop at start-up, naming what differs (each rank says it, and the
# launcher names the first rank that stopped).
mismatch() {  # mismatch <expected text> <per-rank flags, with $RANK>
  local rc=0 out
  out=$("$JPQD" launch --nproc_per_node 2 --master_port "$(port)" -- sh -c 'exec "$0" glue --model_name_or_path bert-tiny \
      --do_train --max_steps 1 --task_name sst2 --max_seq_length 32 --output_dir "$1" --ddp_timeout 60 '"$2" \
      "$JPQD" "$WORK/mismatch" 2>&1) || rc=$?
  [ "$rc" -eq 2 ] || fail "mismatch ($2): expected exit 2, got $rc: $out"
  grep -q "^jpqd: error: $1" <<<"$out" || fail "mismatch ($2): expected '$1': $out"
  [ ! -e "$WORK/mismatch" ] || fail "mismatch ($2): the output directory was created"
}
# catalogue: distributed.ranks-disagree
mismatch "ranks disagree on training arguments" '--max_train_samples 64 --seed $((5 + RANK))'
# catalogue: distributed.different-data
mismatch "ranks disagree on training dataset" '--max_train_samples $((64 + RANK))'
echo "data-parallel equivalence: all checks passed"
