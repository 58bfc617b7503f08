#!/usr/bin/env bash
# Data-parallel step time on this machine (docs/scaling.md): a JPQD step (movement sparsity +
# quantization) of one model at one global batch, run as
#   one: 1 process,  batch B,   THREADS threads
#   two: 2 processes (jpqd launch, Gloo on 127.0.0.1), batch B/2 each, THREADS/2 threads each
# interleaved over rounds so load from other users hits both alike. A step's time is the difference of
# train_runtime between a run of LONG and one of SHORT optimizer steps, divided by LONG - SHORT: start-up,
# range initialisation and saving cancel out.
#
#   bench/distributed/step_time.sh [rounds]     (from the repository root; default 3)
#
# Environment: BUILD (build), MODEL (bert-mini), BATCH (32, global), SEQ (128), THREADS (2), SHORT (4),
# LONG (24), OUT (/tmp/jpqd_step_time).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
BUILD=${BUILD:-build}
MODEL=${MODEL:-bert-mini}
BATCH=${BATCH:-32}
SEQ=${SEQ:-128}
THREADS=${THREADS:-2}
SHORT=${SHORT:-4}
LONG=${LONG:-24}
OUT=${OUT:-/tmp/jpqd_step_time}
JPQD=$PWD/$BUILD/tools/jpqd
[[ -x "$JPQD" ]] || { echo "step_time.sh: $JPQD missing: ninja -C $BUILD jpqd" >&2; exit 1; }
mkdir -p "$OUT"
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
args=(glue --model_name_or_path "$MODEL" --task_name sst2 --max_seq_length "$SEQ" --max_train_samples 4096
      --nncf_compression_config configs/bert-base-jpqd.json --do_train --learning_rate 5e-5 --save_strategy no
      --logging_steps 1000 --seed 1 --disable_tqdm --overwrite_output_dir)

runtime() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["train_runtime"])' "$1/train_results.json"; }
run() {  # run <one|two> <steps> -> train_runtime
  local dir="$OUT/$1-$2"
  if [ "$1" = one ]; then
    "$JPQD" "${args[@]}" --per_device_train_batch_size "$BATCH" --threads "$THREADS" --max_steps "$2" \
      --output_dir "$dir" 2>"$dir.log"
  else
    "$JPQD" launch --nproc_per_node 2 --master_port "$(port)" -- jpqd "${args[@]}" \
      --per_device_train_batch_size $((BATCH / 2)) --threads $((THREADS / 2)) --max_steps "$2" \
      --output_dir "$dir" 2>"$dir.log"
  fi || { tail -5 "$dir.log" >&2; exit 1; }
  runtime "$dir"
}

echo "model $MODEL, global batch $BATCH, seq $SEQ, $THREADS threads in all; seconds per optimizer step"
printf "%-6s %10s %10s %8s\n" round one two two/one
for r in $(seq "$ROUNDS"); do
  declare -A step=()
  for setup in one two; do
    short=$(run "$setup" "$SHORT")
    long=$(run "$setup" "$LONG")
    step[$setup]=$(/usr/bin/python3 -c "print(($long - $short) / ($LONG - $SHORT))")
  done
  printf "%-6s %10.3f %10.3f %8.2f\n" "$r" "${step[one]}" "${step[two]}" \
    "$(/usr/bin/python3 -c "print(${step[two]} / ${step[one]})")"
done
