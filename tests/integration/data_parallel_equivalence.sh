# Data-parallel equivalence: JPQD (movement sparsity through structured masking, quantization with range
# initialisation, distillation) of a tiny BERT on 2 processes (jpqd launch, Gloo on 127.0.0.1) with batch 16
# each ends with the same weights, masks, quantizer ranges, logged losses and metrics as 1 process with
# batch 32 and the same seed. Also: a distributed run resumed from its checkpoint ends where the
# uninterrupted one did; only rank 0 writes (ranks in separate working directories); settings that may
# differ per rank (threads, timeout, output directory) are accepted and ranks started with different
# settings or data stop at start-up naming what differs; a rank killed with SIGKILL stops the other within
# --ddp_timeout; --device cuda --no_cuda trains on the CPU.
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
# After one step the difference is rounding only (Adam has not yet amplified it). Step 1 is logged, with
# its gradient norm.
run one_step "$JPQD" glue "${jpqd_args[@]}" --per_device_train_batch_size 32 --save_strategy no --max_steps 1 \
  --logging_first_step
run two_step two --save_strategy no --max_steps 1 --logging_first_step
# The parameters as step 1 finds them, quantizer ranges and importance scores included (they are made at the
# start of training, so the student checkpoint does not hold them): the same step at learning rate 0.
frozen_args=("${jpqd_args[@]/#1e-3/0}")
run at_step_1 "$JPQD" glue "${frozen_args[@]}" --per_device_train_batch_size 32 --save_strategy no --max_steps 1

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

def largest_difference(a, b, ignored=None):  # over every tensor but the masks, which must match exactly
    assert a.keys() == b.keys(), "different tensors"
    masks = [k for k in a if "mask" in k]
    differing = {k: int((a[k] != b[k]).sum()) for k in masks if (a[k] != b[k]).any()}
    assert not differing, f"masks differ: {differing}"
    def difference(k):
        d = np.abs(a[k].astype(np.float64) - b[k].astype(np.float64))
        if ignored is not None and k in ignored:
            d = d[~ignored[k]]
        return float(d.max()) if d.size else 0.0
    return max((difference(k), k) for k in a if k not in masks)

# Adam's first update of an element is lr * g / (|g| + eps), eps = 1e-8: about -lr * sign(g) wherever |g| >> eps,
# whatever the rounding of g, but a gradient within a few eps of zero (zero up to rounding) moves its element by
# an amount that follows the rounding (anywhere in 0..lr). Elements the single process moved by at least 0.99 lr
# have |g| >= 99 eps, so a relative error up to 1 in their gradient, short of a sign flip, changes their update
# by at most lr * eps / (|g| + eps) <= 0.01 lr. Those, and the elements that did not move, are compared; the ones
# in between (rounding noise) are counted only.
kLearningRate = 1e-3  # jpqd_args; step 1 runs at the full rate (no warm-up)
kOneStepTolerance = 0.01 * kLearningRate
def rounding_noise(ref, start):  # tensor name -> elements whose first Adam step rounding decides
    after = load(ref)
    noise = {}
    for k, w in load(start).items():
        step = np.abs(after[k].astype(np.float64) - w)
        noise[k] = (step > 0) & (step < 0.99 * kLearningRate)
    return noise

def history(run):
    return [e for e in json.load(open(f"{work}/{run}/trainer_state.json"))["log_history"] if "loss" in e]

def grad_norm_difference(ref, other):  # largest relative difference over the logged steps
    return max(abs(b["grad_norm"] - a["grad_norm"]) / a["grad_norm"] for a, b in zip(history(ref), history(other)))

# files: what both runs must have written
def same_run(ref, other, weight_tolerance, grad_norm_tolerance, files, ignored=None):
    problems = []
    try:
        diff, name = largest_difference(load(ref), load(other), ignored)
        if diff > weight_tolerance:
            problems.append(f"{name} differs by {diff:.3g} (tolerance {weight_tolerance:.3g})")
    except AssertionError as e:
        problems.append(str(e))
        diff = float("nan")
    h1, h2 = history(ref), history(other)
    if [e["step"] for e in h1] != [e["step"] for e in h2]:
        problems.append("different logging steps")
    for a, b in zip(h1, h2):
        for k, v in a.items():  # logged with 4 decimals, but for the gradient norm
            if k != "grad_norm" and isinstance(v, (int, float)) and not np.isclose(v, b[k], rtol=1e-3, atol=2e-4):
                problems.append(f"step {a['step']}: {k} {v} vs {b[k]}")
    norm_diff = grad_norm_difference(ref, other)
    if norm_diff > grad_norm_tolerance:
        problems.append(f"gradient norms differ by up to {norm_diff:.3g} relative (tolerance {grad_norm_tolerance:.3g})")
    for f in files:
        try:
            e1, e2 = json.load(open(f"{work}/{ref}/{f}")), json.load(open(f"{work}/{other}/{f}"))
        except FileNotFoundError as e:
            problems.append(f"missing {e.filename}")
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

# Adam's update m/sqrt(v) is blind to a constant factor on the gradients, so the weights cannot tell averaged
# gradients from summed ones; the gradient norm can: summing over 2 ranks doubles it (relative difference 1).
# Averaging two means of 16 instead of taking one mean of 32 changes only the order of float32 sums; for a
# sum of n = 32 sentences x 32 tokens = 1024 terms that moves a well-conditioned result by at most
# n * 2^-24 = 6.1e-5 relative. The bound below allows 16 times that for cancellation and is still a thousand
# times smaller than the factor it must catch.
kGradNormRelTol = 1e-3
def first_grad_norm(run):
    steps = [e for e in history(run) if e["step"] == 1]
    if not steps or "grad_norm" not in steps[0]:
        sys.exit(f"{run}: step 1 logged no grad_norm")
    return steps[0]["grad_norm"]
g1, g2 = first_grad_norm("one_step"), first_grad_norm("two_step")
if abs(g2 - g1) > kGradNormRelTol * g1:
    sys.exit(f"step 1 gradient norm: 1 process {g1:.7g}, 2 processes {g2:.7g} (ratio {g2 / g1:.6f}, "
             f"tolerance {kGradNormRelTol:g} relative): the ranks' gradients were not averaged")
print(f"step 1 gradient norm: 1 process {g1:.7g}, 2 processes {g2:.7g} (relative difference {abs(g2 - g1) / g1:.2g})")

noise = rounding_noise("one_step", "at_step_1")
noisy, total = sum(int(m.sum()) for m in noise.values()), sum(m.size for m in noise.values())
if noisy > total / 2:
    sys.exit(f"one_step: {noisy} of {total} weights moved by less than 0.99 lr: the step comparison would be empty")
print(f"one_step vs two_step: {noisy} of {total} parameters ({100 * noisy / total:.1f} %) had gradients within "
      f"99 eps of zero and are not compared")
same_run("one_step", "two_step", kOneStepTolerance, kGradNormRelTol, ["eval_results.json"], noise)
# Rounding alone may also tip an importance score across the structured-masking threshold (seen here: one FFN
# neuron of layer 1 in the accumulated run). Such elements are not rounding of a weight but a pruned or kept
# neuron; they are counted and left out of the reference, and the rest of the run, which they did steer, is
# kept in it.
def rounding_reference(a, b):
    flipped = {}
    for k in (k for k in a if k.endswith("_ctx._binary_mask")):
        owner, kind = k.rsplit(".sparsifier.", 1)
        weight = f"{owner}.{kind.split('_ctx')[0]}"
        if (a[k] != b[k]).any() and weight in a and a[weight].shape == a[k].shape:
            flipped[weight] = a[k] != b[k]
    masks = [k for k in a if "mask" in k]
    return largest_difference({k: v for k, v in a.items() if k not in masks},
                              {k: v for k, v in b.items() if k not in masks}, flipped), \
           sum(int(m.sum()) for m in flipped.values())
(rounding, _), flipped = rounding_reference(load("one"), load("accum"))
# Later gradient norms depend on weights that rounding has already moved, so they too are held to what
# rounding does within one process, with the same factor as the weights.
norm_rounding = grad_norm_difference("one", "accum")
print(f"one vs accum (rounding only): weights within {rounding:.3g} ({flipped} weights masked in one run only), "
      f"gradient norms within {norm_rounding:.3g} relative")
full = ["eval_results.json", "structured_sparsity.json"]
same_run("one", "two", max(4 * rounding, 1e-5), max(4 * norm_rounding, kGradNormRelTol), full)
# Resuming repeats the same arithmetic.
same_run("two", "resumed", 1e-5, kGradNormRelTol, full)
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
mismatch "ranks disagree on evaluation dataset" '--max_train_samples 64 --do_eval --max_eval_samples $((32 + RANK))'
# The same algorithms with one hyperparameter changed.
sed 's/"importance_regularization_factor": 0.05/"importance_regularization_factor": 0.1/' \
  "$SRC/configs/tiny-smoke-jpqd.json" >"$WORK/other-jpqd.json"
cmp -s "$SRC/configs/tiny-smoke-jpqd.json" "$WORK/other-jpqd.json" && fail "the second compression config is the same"
mismatch "ranks disagree on compression configuration" \
  "--max_train_samples 64 --nncf_compression_config \$([ \$RANK = 0 ] && echo $SRC/configs/tiny-smoke-jpqd.json || echo $WORK/other-jpqd.json)"

# Only rank 0 writes: each rank runs in its own directory with the same relative --output_dir, through
# structured masking (the movement controller's reports), checkpoints, evaluation and export. The ranks also
# differ in what may differ per rank: threads, --ddp_timeout, --disable_tqdm.
mkdir -p "$WORK/writers/rank0" "$WORK/writers/rank1"
"$JPQD" launch --nproc_per_node 2 --master_port "$(port)" -- sh -c 'cd "$0/rank$RANK" && jpqd=$1 && shift && exec "$jpqd" glue "$@" \
    --threads $((1 + RANK)) --ddp_timeout $((60 + RANK)) $([ "$RANK" = 1 ] && echo --disable_tqdm)' \
  "$WORK/writers" "$JPQD" --model_name_or_path "$WORK/student" --teacher_model_name_or_path "$WORK/teacher" \
  --nncf_compression_config "$SRC/configs/tiny-smoke-jpqd.json" --task_name sst2 --max_seq_length 32 \
  --max_train_samples 64 --max_eval_samples 32 --per_device_train_batch_size 8 --num_train_epochs 3 \
  --do_train --do_eval --save_steps 4 --logging_steps 4 --seed 11 --output_dir out \
  2>"$WORK/writers.log" || { tail -20 "$WORK/writers.log"; fail "ranks with different threads, timeouts and working directories"; }
for f in structured_sparsity.json structured_sparsity.csv checkpoint-4/trainer_state.json eval_results.json \
         trainer_state.json model.safetensors model.jpqd; do
  [ -s "$WORK/writers/rank0/out/$f" ] || fail "rank 0 did not write out/$f"
done
written=$(cd "$WORK/writers/rank1" && find . -type f)
[ -z "$written" ] || fail "rank 1 wrote files: $written"

# --no_cuda wins over --device cuda (HF's semantics): this machine has no GPU, so the run proves it.
"$JPQD" launch --nproc_per_node 2 --master_port "$(port)" -- jpqd glue --model_name_or_path bert-tiny \
  --task_name sst2 --max_seq_length 32 --max_train_samples 32 --do_train --max_steps 2 --threads 1 \
  --device cuda --no_cuda --output_dir "$WORK/no_cuda" 2>"$WORK/no_cuda.log" || { tail "$WORK/no_cuda.log"; fail "--device cuda --no_cuda"; }
[ "$(json_value "$WORK/no_cuda/training_args.json" device)" = cpu ] || fail "--device cuda --no_cuda: device is not cpu"

# catalogue: distributed.rank-killed
# A rank killed with SIGKILL mid-training: the other stops with the one-line distributed error (exit 3, as
# every IoError) within --ddp_timeout, plus a margin for the step it may be computing (a bert-tiny step here
# takes milliseconds; the margin is for a loaded machine and process exit). Ranks are started by hand, not
# by `jpqd launch`, which would stop rank 0 itself as soon as rank 1 died. Their output directories differ,
# which is allowed.
kDdpTimeoutSeconds=10
kMarginSeconds=5
dead_port=$(port)
start_rank() {
  RANK=$1 WORLD_SIZE=2 LOCAL_RANK=$1 LOCAL_WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=$dead_port \
    "$JPQD" glue --model_name_or_path bert-tiny --task_name sst2 --max_seq_length 32 --max_train_samples 256 \
    --do_train --num_train_epochs 1000 --per_device_train_batch_size 8 --logging_steps 1 --save_strategy no \
    --disable_tqdm --threads 1 --ddp_timeout "$kDdpTimeoutSeconds" --output_dir "$WORK/dead/out$1" \
    2>"$WORK/dead$1.log" &
}
start_rank 0; rank0=$!
start_rank 1; rank1=$!
# A replica logs nothing at info level; rank 0's first step line means both ranks are training.
for _ in $(seq 600); do
  grep -q '"loss"' "$WORK/dead0.log" && break
  kill -0 "$rank0" 2>/dev/null || break
  sleep 0.5
done
grep -q '"loss"' "$WORK/dead0.log" || { kill -9 "$rank0" "$rank1" 2>/dev/null; fail "rank 0 logged no step: $(tail -5 "$WORK/dead0.log")"; }
kill -9 "$rank1"
killed=$(date +%s%N)
deadline=$((killed + (kDdpTimeoutSeconds + kMarginSeconds) * 1000000000))
while kill -0 "$rank0" 2>/dev/null && [ "$(date +%s%N)" -lt "$deadline" ]; do sleep 0.1; done
if kill -0 "$rank0" 2>/dev/null; then
  kill -9 "$rank0"
  fail "rank 0 still ran $((kDdpTimeoutSeconds + kMarginSeconds)) s after rank 1 was killed"
fi
stopped=$(( ($(date +%s%N) - killed) / 1000000 ))
rc=0
wait "$rank0" || rc=$?
wait "$rank1" 2>/dev/null || true
[ "$rc" -eq 3 ] || fail "rank 0 after rank 1 was killed: expected exit 3, got $rc: $(tail -3 "$WORK/dead0.log")"
[ "$(grep -c '^jpqd: error:' "$WORK/dead0.log")" -eq 1 ] || fail "rank 0: expected one error line: $(tail -3 "$WORK/dead0.log")"
grep -q '^jpqd: error: distributed .* failed on rank 0 of 2 (timeout 10 s)' "$WORK/dead0.log" ||
  fail "rank 0's error does not name the distributed failure: $(grep '^jpqd: error:' "$WORK/dead0.log")"
echo "rank 1 killed: rank 0 stopped within ${stopped} ms: $(grep '^jpqd: error:' "$WORK/dead0.log")"
echo "data-parallel equivalence: all checks passed"
