# `jpqd launch`: torchrun's variables for every rank, failure propagation (one rank fails -> the others are
# stopped, the launch exits with that rank's code and names it), SIGKILL for a rank that ignores SIGTERM,
# and SIGTERM forwarding. Needs no model: the ranks are small shell commands.
source "$(dirname "$0")/lib.bash"

# Every rank sees its variables; RANK = node_rank * nproc_per_node + local rank.
out=$("$JPQD" launch --nproc_per_node 2 --master_port 29611 -- \
  sh -c 'echo "rank=$RANK world=$WORLD_SIZE local=$LOCAL_RANK of $LOCAL_WORLD_SIZE at $MASTER_ADDR:$MASTER_PORT"')
expected=$'rank=0 world=2 local=0 of 2 at 127.0.0.1:29611\nrank=1 world=2 local=1 of 2 at 127.0.0.1:29611'
[ "$(sort <<<"$out")" = "$expected" ] || fail "single node: got: $out"
out=$("$JPQD" launch --nnodes 2 --node_rank 1 --nproc_per_node 2 --master_addr 10.1.2.3 -- \
  sh -c 'echo "rank=$RANK world=$WORLD_SIZE local=$LOCAL_RANK node=$GROUP_RANK at $MASTER_ADDR:$MASTER_PORT"')
expected=$'rank=2 world=4 local=0 node=1 at 10.1.2.3:29500\nrank=3 world=4 local=1 node=1 at 10.1.2.3:29500'
[ "$(sort <<<"$out")" = "$expected" ] || fail "second node: got: $out"

# `jpqd` as the command is this binary, even when it is not on PATH.
out=$(PATH=/usr/bin:/bin "$JPQD" launch --nproc_per_node 2 -- jpqd --version)
[ "$out" = $'jpqd 0.1.0\njpqd 0.1.0' ] || fail "jpqd --version under launch: got: $out"

# catalogue: launch.rank-fails
# Rank 1 fails (`false`, exit 1) while rank 0 would sleep for a minute and then leave a marker: the launch
# exits 1 naming rank 1, and rank 0 (with its shell's children) was stopped before writing the marker.
expect_error 1 "rank 1 (local rank 1, pid [0-9]*) exited with code 1; stopped the other 1 local rank" -- \
  "$JPQD" launch --nproc_per_node 2 -- \
  sh -c '[ "$RANK" = 1 ] && exec false; sleep 60; touch "$0"' "$WORK/rank0-finished"
[ ! -e "$WORK/rank0-finished" ] || fail "rank 0 ran to completion after rank 1 failed"
# The child's code is kept (7), and ranks ignoring SIGTERM are killed after the grace period (rank 0 fails
# only once ranks 1 and 2 have said they ignore SIGTERM).
expect_error 7 "rank 0 (local rank 0, pid [0-9]*) exited with code 7; stopped the other 2 local ranks" -- \
  "$JPQD" launch --nproc_per_node 3 --kill_grace_seconds 1 -- sh -c 'trap "" TERM
    if [ "$RANK" = 0 ]; then
      while [ ! -e "$0.1" ] || [ ! -e "$0.2" ]; do sleep 0.05; done
      exit 7
    fi
    touch "$0.$RANK"; sleep 60; touch "$0.finished"' "$WORK/ignorer"
[ -e "$WORK/ignorer.1" ] && [ -e "$WORK/ignorer.2" ] || fail "ranks 1 and 2 did not start"
[ ! -e "$WORK/ignorer.finished" ] || fail "a rank ignoring SIGTERM survived the launch"
# A rank killed by a signal: exit 128 + signal.
expect_error 137 "rank 1 (local rank 1, pid [0-9]*) was killed by signal 9" -- \
  "$JPQD" launch --nproc_per_node 2 -- sh -c '[ "$RANK" = 1 ] && kill -9 $$; sleep 60'
pgrep -f "touch $WORK/" >/dev/null && fail "ranks of a failed launch are still running"

# SIGTERM to the launcher reaches every rank (each exits 130 as a trainer that checkpointed would).
"$JPQD" launch --nproc_per_node 2 -- sh -c 'trap "touch \"$0.$RANK\"; exit 130" TERM; sleep 60 & wait' \
  "$WORK/stopped" 2>"$WORK/launch.err" &
launcher=$!
for _ in $(seq 100); do
  [ "$(pgrep -P "$launcher" | wc -l)" -eq 2 ] && break
  sleep 0.1
done
sleep 0.5  # let both shells install their trap
kill -TERM "$launcher"
rc=0
wait "$launcher" || rc=$?
[ "$rc" -eq 130 ] || fail "launch after SIGTERM: expected exit 130, got $rc: $(cat "$WORK/launch.err")"
[ -e "$WORK/stopped.0" ] && [ -e "$WORK/stopped.1" ] || fail "SIGTERM was not forwarded to both ranks"
grep -q "was forwarded to all ranks" "$WORK/launch.err" || fail "launch after SIGTERM: $(cat "$WORK/launch.err")"

# Bad flags and a command that cannot start.
# catalogue: launch.bad-flags
expect_error 2 "nproc_per_node must be at least 1" -- "$JPQD" launch --nproc_per_node 0 -- true
expect_error 2 "node_rank 2 must be in" -- "$JPQD" launch --nnodes 2 --node_rank 2 -- true
expect_error 2 "master_port 70000" -- "$JPQD" launch --master_port 70000 -- true
# catalogue: launch.missing-program
rc=0
err=$("$JPQD" launch --nproc_per_node 2 -- "$WORK/no-such-program" 2>&1) || rc=$?
[ "$rc" -eq 127 ] || fail "missing program: expected exit 127, got $rc: $err"
grep -q "cannot run $WORK/no-such-program" <<<"$err" || fail "missing program: $err"
grep -q "launch: rank [01] (local rank [01], pid [0-9]*) exited with code 127" <<<"$err" || fail "missing program: $err"
echo "launch: all checks passed"
