# Models that several integration tests start from, trained once per test run instead of once per test.
#
# Under ctest, the test fixture.<name> runs this file as `bash fixtures.bash <jpqd> <source dir> <name> <dir>`
# and writes the model to <dir>/<name> (FIXTURES_SETUP in tests/CMakeLists.txt); the scripts that call
# `fixture <name>` then find it through $JPQD_FIXTURES. A script run on its own trains its own copy.
# Each fixture is the exact command its users ran themselves before, so they assert what they asserted.

# make_fixture <name> <output dir>: trains the fixture; its log is <output dir>.log.
make_fixture() {
  local name=$1 out=$2
  case $name in
    sst2_tiny_8000)  # a randomly initialised bert-tiny, 2 epochs on 8,000 SST-2 sentences (learns to ~70%)
      "$JPQD" glue --model_name_or_path bert-tiny --task_name sst2 --do_train --do_eval --max_seq_length 64 \
        --max_train_samples 8000 --per_device_train_batch_size 32 --per_device_eval_batch_size 64 \
        --learning_rate 1e-3 --warmup_ratio 0.1 --num_train_epochs 2 --logging_steps 50 --save_strategy no \
        --seed 42 --output_dir "$out" --disable_tqdm 2>"$out.log" ;;
    sst2_tiny_2000)  # a randomly initialised bert-tiny, 2 epochs on 2,000 SST-2 sentences: a teacher, a start
      "$JPQD" glue --model_name_or_path bert-tiny --task_name sst2 --do_train --max_seq_length 64 \
        --max_train_samples 2000 --per_device_train_batch_size 32 --learning_rate 1e-3 --num_train_epochs 2 \
        --save_strategy no --seed 7 --output_dir "$out" --disable_tqdm 2>"$out.log" ;;
    *) echo "fixtures.bash: unknown fixture $name" >&2; return 2 ;;
  esac || { tail -20 "$out.log" >&2; return 1; }
  touch "$out/.fixture-complete"
}

# fixture <name>: prints the directory of the fixture, training it first when no test run made it.
fixture() {
  local name=$1
  if [ -n "${JPQD_FIXTURES:-}" ] && [ -f "$JPQD_FIXTURES/$name/.fixture-complete" ]; then
    echo "$JPQD_FIXTURES/$name"
    return
  fi
  make_fixture "$name" "$WORK/fixture-$name" >&2 || fail "making the fixture $name"
  echo "$WORK/fixture-$name"
}

# Run as the setup test of a fixture: replace whatever an earlier run (an older jpqd) left.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  JPQD=${1:?usage: fixtures.bash <jpqd> <source dir> <name> <dir>} SRC=$2 name=${3:?} dir=${4:?}
  mkdir -p "$dir"
  rm -rf "${dir:?}/$name" "$dir/$name.log"
  make_fixture "$name" "$dir/$name"
  echo "fixture $name: made in $dir/$name"
fi
