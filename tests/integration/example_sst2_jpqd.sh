# examples/sst2_jpqd.cc, the library API as Optimum Intel's snippet uses it, at smoke scale:
# a random bert-tiny student distilled from a random bert-tiny teacher (the point is the plumbing,
# not accuracy) with configs/tiny-smoke-jpqd.json for a few steps. Its save_model() must export as
# OVTrainer's does: model.jpqd that `jpqd inspect` reads, model.onnx, export.json and the report.
source "$(dirname "$0")/lib.bash"
EXAMPLE=${JPQD_EXAMPLE_SST2_JPQD:?set by ctest: the path of jpqd_example_sst2_jpqd}
export JPQD_DATA_DIR=${JPQD_DATA_DIR:-$SRC/data}
# The example is a plain program: it does not set these as the jpqd binary does for itself, and without
# them OpenMP threads spin against each other on a busy machine.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
out="$WORK/out"
"$EXAMPLE" --student bert-tiny --teacher bert-tiny --config "$SRC/configs/tiny-smoke-jpqd.json" \
  --max_train_samples 64 --max_eval_samples 64 --max_steps 4 --output_dir "$out" >"$WORK/metrics.json" 2>"$WORK/example.log" \
  || { tail -30 "$WORK/example.log"; fail "the example failed"; }
for f in model.safetensors model.jpqd model.onnx export.json report/report.md; do
  [ -s "$out/$f" ] || fail "the example's save_model() wrote no $f"
done
grep -q '"eval_accuracy"' "$WORK/metrics.json" || fail "the example printed no evaluation metrics"
"$JPQD" inspect "$out/model.jpqd" >"$WORK/inspect.txt" 2>&1 || { cat "$WORK/inspect.txt"; fail "jpqd inspect"; }
grep -q "quantization    int8" "$WORK/inspect.txt" || fail "the example's model.jpqd is not INT8: $(cat "$WORK/inspect.txt")"
# A bad flag is one clear error and the usage line, exit 2, nothing written.
rc=0; "$EXAMPLE" --max_steps ten --output_dir "$WORK/bad" >/dev/null 2>"$WORK/bad.log" || rc=$?
[ "$rc" -eq 2 ] || fail "a bad --max_steps gave exit $rc"
grep -q '^error: --max_steps: expected a count or -1, got "ten"' "$WORK/bad.log" || fail "$(cat "$WORK/bad.log")"
[ ! -e "$WORK/bad" ] || fail "a rejected command line created its output directory"
echo "the library-API example trained, saved and exported a model jpqd reads"
