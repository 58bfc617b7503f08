# Interrupted training: a JPQD run (movement sparsity + quantization, bert-tiny on part of SST-2)
# is killed with SIGKILL at random moments - anywhere, while a checkpoint is being written, right after one
# was renamed into place - and resumed with --resume_from_checkpoint (or restarted when no checkpoint was
# written yet) until it finishes. Every trial must end with exactly the reference run's weights,
# compression state and metrics. Also: SIGTERM and SIGINT save a checkpoint and exit with code 130, and a
# corrupt newest checkpoint is skipped with a warning by `--resume_from_checkpoint last`.
#
# JPQD_KILL_TRIALS (default 12: three of each kind) sets the number of kill -9 trials; JPQD_KILL_SEED the seed of the
# random kill moments (the draws are reproducible, the moments they land on depend on the machine's speed).
source "$(dirname "$0")/lib.bash"
TRIALS=${JPQD_KILL_TRIALS:-12}
RANDOM=${JPQD_KILL_SEED:-9}
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT
script_start=$SECONDS

# The smoke JPQD config with fewer range-initialisation samples: epoch 0 measures the steps per epoch,
# epoch 1 warms the sparsity up, epoch 2 trains with structured masks; the quantizers are range-initialised
# before step 1 and trained throughout.
/usr/bin/python3 - "$SRC/configs/tiny-smoke-jpqd.json" "$WORK/jpqd.json" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
for algorithm in config:
    if algorithm["algorithm"] == "quantization":
        algorithm["initializer"]["range"]["num_init_samples"] = 16
json.dump(config, open(sys.argv[2], "w"), indent=1)
PY
SAVE_STEPS=2
TOTAL_STEPS=12  # 64 samples / batch 16 = 4 steps per epoch, 3 epochs
run=(glue --model_name_or_path bert-tiny --task_name sst2 --data_dir "$SRC/data/glue/SST-2" --max_seq_length 32
     --max_train_samples 64 --max_eval_samples 64 --per_device_train_batch_size 16 --per_device_eval_batch_size 64
     --nncf_compression_config "$WORK/jpqd.json" --do_train --do_eval --learning_rate 1e-3 --num_train_epochs 3
     --save_steps "$SAVE_STEPS" --save_total_limit 2 --logging_steps "$SAVE_STEPS" --seed 7 --threads 1
     --disable_tqdm)

# start <output dir> <log> [flags...]: the run in the background, its pid in $pid.
start() {
  local out=$1 log=$2; shift 2
  "$JPQD" "${run[@]}" --output_dir "$out" "$@" >/dev/null 2>>"$log" &
  pid=$!
}
# reap: waits for $pid; its exit code in $rc.
reap() { rc=0; wait "$pid" 2>/dev/null || rc=$?; pid=""; }
newest_checkpoint() {  # the checkpoint-N with the largest N, or nothing
  local n
  n=$(find "$1" -maxdepth 1 -name 'checkpoint-*' -printf '%f\n' 2>/dev/null | sed 's/checkpoint-//' | sort -n | tail -1)
  [ -n "$n" ] && echo "$1/checkpoint-$n"
  return 0
}
# running: $pid has not exited yet (an exited child stays a zombie until reaped, so kill -0 would say yes).
running() {
  local _pid _name state
  read -r _pid _name state _ <"/proc/$pid/stat" 2>/dev/null && [ "$state" != Z ]
}
# wait_for <glob>...: until a path matches one of the globs or the run ended (at most 2 minutes).
wait_for() {
  local deadline=$((SECONDS + 120)) glob
  while running && [ $SECONDS -lt $deadline ]; do
    for glob in "$@"; do compgen -G "$glob" >/dev/null && return 0; done
    sleep 0.01
  done
}
# random_sleep <ms>: sleeps a uniform draw from [0, ms). Not in a $(subshell): it would not advance $RANDOM.
random_sleep() { sleep_ms $(((RANDOM * 32768 + RANDOM) % $1)); }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }
# resume_to_end <output dir> <log> <how>: resumes (how = dir | last) or restarts until the run succeeds.
resume_to_end() {
  local out=$1 log=$2 how=$3 newest
  for attempt in 1 2 3; do
    newest=$(newest_checkpoint "$out")
    if [ -z "$newest" ]; then
      echo "== restart (no checkpoint)" >>"$log"
      start "$out" "$log" --overwrite_output_dir
    elif [ "$how" = last ]; then
      echo "== resume last ($newest)" >>"$log"
      start "$out" "$log" --resume_from_checkpoint last
    else
      echo "== resume $newest" >>"$log"
      start "$out" "$log" --resume_from_checkpoint "$newest"
    fi
    reap
    [ "$rc" -eq 0 ] && return 0
    echo "== exit code $rc" >>"$log"
  done
  tail -20 "$log"
  fail "$out: the resumed run did not finish"
}
# same_as_reference <output dir>: weights, compression state and metrics identical to the reference run;
# nothing half-written left behind.
same_as_reference() {
  local out=$1
  for f in model.safetensors compression_state.safetensors structured_sparsity.json; do
    cmp -s "$WORK/ref/$f" "$out/$f" || { echo "$out: $f differs from the reference run" >&2; return 1; }
  done
  /usr/bin/python3 - "$WORK/ref" "$out" <<'PY' || return 1
import json, sys
ref, out = sys.argv[1:]
def metrics(d, split):
    m = json.load(open(f"{d}/{split}_results.json"))
    return {k: v for k, v in m.items() if not k.endswith(("_runtime", "_per_second"))}
for split in ("train", "eval"):
    a, b = metrics(ref, split), metrics(out, split)
    if a != b:
        sys.exit(f"{out}: {split} metrics differ: reference {a}, resumed {b}")
PY
  if compgen -G "$out/.*.tmp*" >/dev/null; then echo "$out: temporaries left behind" >&2; return 1; fi
}

# ---- the reference: one uninterrupted run ----
ref_start=$SECONDS
start "$WORK/ref" "$WORK/ref.log"
reap
[ "$rc" -eq 0 ] || { tail -20 "$WORK/ref.log"; fail "the reference run failed"; }
ref_seconds=$((SECONDS - ref_start))
[ -s "$WORK/ref/eval_results.json" ] || fail "the reference run wrote no eval_results.json"
ref_ms=$((ref_seconds * 900 + 100))  # kills drawn from 90% of its duration land in the run
echo "reference run: $ref_seconds s, $(json_value "$WORK/ref/eval_results.json" eval_accuracy) accuracy"

# ---- kill -9 trials ----
survived=0 interrupted=0 mid_write=0
declare -A kinds=()
for ((i = 1; i <= TRIALS; i++)); do
  out="$WORK/trial$i" log="$WORK/trial$i.log"
  kind=$((i % 4))
  how=$([ $((i % 2)) -eq 0 ] && echo last || echo dir)
  kills=1
  start "$out" "$log"
  case $kind in
    0)  # anywhere in the run, start-up and the final save and evaluation included
      what="random"
      random_sleep "$ref_ms" ;;
    1)  # while checkpoint-N is being written under its temporary name
      n=$(( (RANDOM % (TOTAL_STEPS / SAVE_STEPS) + 1) * SAVE_STEPS ))
      what="writing checkpoint-$n"
      # (on a busy machine the poll may miss the write; the rename is then the latest moment to kill)
      wait_for "$out/.checkpoint-$n.tmp*" "$out/checkpoint-$n"
      random_sleep 200 ;;
    2)  # right after checkpoint-N was renamed into place (directory fsync, rotation, next step)
      n=$(( (RANDOM % (TOTAL_STEPS / SAVE_STEPS) + 1) * SAVE_STEPS ))
      what="after checkpoint-$n"
      wait_for "$out/checkpoint-$n" ;;
    3)  # twice: at random, and again in the resumed run around its first new checkpoint
      what="random, twice"
      kills=2
      random_sleep "$ref_ms" ;;
  esac
  for ((k = 1; k <= kills; k++)); do
    kill -9 "$pid" 2>/dev/null || true
    reap
    if [ "$rc" -eq 137 ]; then
      interrupted=$((interrupted + 1))
      newest=$(newest_checkpoint "$out")
      writing=""
      if compgen -G "$out/.checkpoint-*.tmp*" >/dev/null; then writing=", mid-write"; mid_write=$((mid_write + 1)); fi
      name=${newest##*/}
      [ -n "$newest" ] || name="no checkpoint"
      echo "== killed ($what) with $name on disk$writing" >>"$log"
    else
      echo "== the run ended (exit $rc) before the kill: not interrupted" >>"$log"
    fi
    if [ "$k" -lt "$kills" ]; then
      newest=$(newest_checkpoint "$out")
      if [ -n "$newest" ]; then
        start "$out" "$log" --resume_from_checkpoint "$newest"
        n=$((${newest##*-} + SAVE_STEPS))
      else
        start "$out" "$log" --overwrite_output_dir
        n=$SAVE_STEPS
      fi
      [ "$n" -le "$TOTAL_STEPS" ] && wait_for "$out/checkpoint-$n"
      random_sleep 1000
    fi
  done
  [ -s "$out/eval_results.json" ] && [ "$rc" -eq 0 ] || resume_to_end "$out" "$log" "$how"
  if same_as_reference "$out"; then
    survived=$((survived + 1))
    kinds[$kind]=$((${kinds[$kind]:-0} + 1))
    echo "trial $i ($what, resume $how): identical [$(grep -E '^== (killed|the run ended)' "$log" | sed 's/.* with //; s/ on disk//; s/.*: not/not/' | paste -sd';')]"
  else
    echo "trial $i ($what): DIFFERENT"; tail -30 "$log"
  fi
  rm -rf "$out"
done

# ---- SIGTERM and SIGINT: a clean checkpoint, exit code 130, and a resume from the checkpoint it names ----
signals_ok=0
for sig in TERM INT; do
  out="$WORK/sig$sig" log="$WORK/sig$sig.log"
  start "$out" "$log"
  wait_for "$out/checkpoint-$((2 * SAVE_STEPS))"
  kill -s "$sig" "$pid"
  reap
  [ "$rc" -eq 130 ] || { tail -20 "$log"; fail "SIG$sig: exit code $rc, expected 130"; }
  saved=$(grep -o 'checkpoint saved in [^ ]*' "$log" | sed 's/checkpoint saved in //' | tail -1)
  [ -n "$saved" ] && [ -f "$saved/manifest.json" ] || { tail -5 "$log"; fail "SIG$sig: no checkpoint named"; }
  start "$out" "$log" --resume_from_checkpoint "$saved"
  reap
  [ "$rc" -eq 0 ] || { tail -20 "$log"; fail "SIG$sig: the resumed run failed"; }
  same_as_reference "$out" || fail "SIG$sig: the resumed run differs from the reference"
  echo "SIG$sig: checkpoint $(basename "$saved") saved, exit 130, resumed: identical"
  signals_ok=$((signals_ok + 1))
  rm -rf "$out"
done

# ---- a corrupt newest checkpoint: skipped with a warning, the previous one is used ----
out="$WORK/corrupt" log="$WORK/corrupt.log"
start "$out" "$log"
wait_for "$out/checkpoint-$((3 * SAVE_STEPS))"
kill -9 "$pid" 2>/dev/null || true
reap
newest=$(newest_checkpoint "$out")
[ -n "$newest" ] && [ "$newest" != "$out/checkpoint-$SAVE_STEPS" ] || fail "corrupt trial: no second checkpoint to fall back to"
size=$(stat -c %s "$newest/model.safetensors")
truncate -s $((size / 2)) "$newest/model.safetensors"
start "$out" "$log" --resume_from_checkpoint last
reap
[ "$rc" -eq 0 ] || { tail -20 "$log"; fail "corrupt trial: the resumed run failed"; }
grep -q "skipping checkpoint $newest" "$log" || fail "corrupt trial: no warning about $newest"
grep -q "Resuming from $out/checkpoint-" "$log" || fail "corrupt trial: no resume"
grep "Resuming from" "$log" | grep -qv "$newest\$" || fail "corrupt trial: resumed from the corrupt checkpoint"
same_as_reference "$out" || fail "corrupt trial: the resumed run differs from the reference"
for c in $(find "$out" -maxdepth 1 -name 'checkpoint-*'); do
  [ -f "$c/manifest.json" ] || fail "corrupt trial: $c has no manifest"
done
echo "corrupt newest checkpoint $(basename "$newest"): skipped with a warning, resumed from $(grep -o 'Resuming from [^ ]*' "$log" | sed 's|.*/||'): identical"

echo "kill -9 trials: $survived of $TRIALS survived ($interrupted kills landed in a running process, $mid_write of them while a checkpoint was being written; by kind: random ${kinds[0]:-0}, during a checkpoint write ${kinds[1]:-0}, after a checkpoint ${kinds[2]:-0}, twice ${kinds[3]:-0}); signals: $signals_ok of 2; corrupt checkpoint: 1 of 1; $((SECONDS - script_start)) s"
[ "$survived" -eq "$TRIALS" ] || fail "$((TRIALS - survived)) of $TRIALS trials did not reproduce the reference run"
