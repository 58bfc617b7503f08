# jpqd under real torchrun (`python3 -m torch.distributed.run`, from Debian's python3-torch), 2 processes on
# loopback, in both of torchrun's store modes:
#   static rendezvous (--master_addr/--master_port): torchrun's agent already serves the TCPStore on
#     MASTER_PORT and says so (TORCHELASTIC_USE_AGENT_STORE=True), so every rank must join as a client;
#   c10d rendezvous: the agent picks a free MASTER_PORT and rank 0 serves the store, as under `jpqd launch`.
# Each must train exactly the model `jpqd launch` trains (same ranks, seed and batches: bit-identical).
# Exits 77, which ctest reports as skipped, where Python's torch is not installed.
source "$(dirname "$0")/lib.bash"
/usr/bin/python3 -m torch.distributed.run --help >/dev/null 2>&1 ||
  { echo "SKIPPED: python3 -m torch.distributed.run is not available (install python3-torch)"; exit 77; }
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
args=(glue --model_name_or_path bert-tiny --task_name sst2 --max_seq_length 32 --max_train_samples 64
      --do_train --max_steps 4 --per_device_train_batch_size 8 --save_strategy no --seed 3 --threads 1
      --disable_tqdm)

"$JPQD" launch --nproc_per_node 2 --master_port "$(port)" -- jpqd "${args[@]}" --output_dir "$WORK/launch" \
  2>"$WORK/launch.log" || { tail "$WORK/launch.log"; fail "jpqd launch"; }

torchrun() {  # torchrun <name> <torchrun flags...>: records the store mode each rank was given
  local name=$1; shift
  # --redirects/--tee 2: Debian's torchrun (torch 1.13) on Python 3.11 crashes at start with their default 0
  # ("'NoneType' object has no attribute 'get'": 3.11's IntFlag no longer iterates its zero member).
  /usr/bin/python3 -m torch.distributed.run --nnodes 1 --nproc_per_node 2 "$@" --redirects 2 --tee 2 \
    --log_dir "$WORK/$name.torchrun" --no_python \
    sh -c 'echo "$TORCHELASTIC_USE_AGENT_STORE" >"$0.agent_store.$RANK" && exec "$@"' "$WORK/$name" \
    "$JPQD" "${args[@]}" --output_dir "$WORK/$name" >"$WORK/$name.log" 2>&1 ||
    { tail -20 "$WORK/$name.log"; fail "torchrun $*"; }
  grep -q "data-parallel training: rank 0 of 2" "$WORK/$name.log" || fail "torchrun $*: no data-parallel training"
  cmp -s "$WORK/launch/model.safetensors" "$WORK/$name/model.safetensors" ||
    fail "torchrun $*: the model differs from jpqd launch's"
}
torchrun static --master_addr 127.0.0.1 --master_port "$(port)"
[ "$(cat "$WORK/static.agent_store.0" "$WORK/static.agent_store.1")" = $'True\nTrue' ] ||
  fail "static rendezvous: expected TORCHELASTIC_USE_AGENT_STORE=True on both ranks"
torchrun c10d --rdzv_backend c10d --rdzv_endpoint "127.0.0.1:$(port)" --rdzv_id jpqd-torchrun-test
[ "$(cat "$WORK/c10d.agent_store.0" "$WORK/c10d.agent_store.1")" = $'False\nFalse' ] ||
  fail "c10d rendezvous: expected TORCHELASTIC_USE_AGENT_STORE=False on both ranks"
echo "torchrun: static (agent store) and c10d rendezvous train the model jpqd launch trains"
