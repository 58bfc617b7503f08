#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang + ASan + UBSan and runs each for a fixed time with
# its seed corpus; writes a summary table to fuzz/results.md and stdout. See docs/fuzzing.md.
#
#   scripts/fuzz.sh 60                      # every target, 60 s each
#   scripts/fuzz.sh 300 squad model_file    # just these targets
#   JPQD_FUZZ_TORCH=0 scripts/fuzz.sh 60    # LibTorch-free targets only (no LibTorch build at all)
#
# New inputs that increase coverage go to $BUILD/fuzz-work/<target>/corpus (the seeds in
# fuzz/corpus/<target> are only read); a crash, leak, timeout or out-of-memory input is saved in
# $BUILD/fuzz-work/<target>/artifacts/ and listed in the summary. Exits 1 when any target found one.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET=${1:-60}
shift || true
BUILD_DIR=${JPQD_FUZZ_BUILD_DIR:-build-fuzz}
JOBS=${JPQD_JOBS:-1}
TORCH_FREE=(vocab tokenizer tokenizer_config glue custom_files squad model_file tokenizer_json bpe_files sentencepiece_model)
TORCH=(compression_config bert_config safetensors safetensors_index torch_bin)

# clang 14 and its compiler-rt (libFuzzer, sanitizer runtimes) from Debian.
need=()
command -v clang++ >/dev/null 2>&1 || need+=(clang)
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
if ((${#need[@]})); then
  echo "fuzz: installing ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi

training=ON
[ "${JPQD_FUZZ_TORCH:-1}" = 0 ] && training=OFF
if (($#)); then
  targets=("$@")
elif [ $training = ON ]; then
  targets=("${TORCH_FREE[@]}" "${TORCH[@]}")
else
  targets=("${TORCH_FREE[@]}")
fi

CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJPQD_FUZZ=ON \
  -DJPQD_BUILD_TESTS=OFF -DJPQD_BUILD_BENCH=OFF -DJPQD_BUILD_TRAINING=$training >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS" --target "${targets[@]/%/_fuzzer}"

# LibTorch / OpenMP keep process-lifetime allocations that LeakSanitizer would blame on the input that
# first touched them; leaks inside jpqd code are still reported.
WORK="$ROOT/$BUILD_DIR/fuzz-work"
mkdir -p "$WORK"
printf 'leak:libtorch_cpu.so\nleak:libc10.so\nleak:libgomp.so\nleak:libopenblas\n' >"$WORK/lsan.supp"
export LSAN_OPTIONS="suppressions=$WORK/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

rows=()
found=0
for t in "${targets[@]}"; do
  dir="$WORK/$t"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  touch "$dir/run-start"  # artifacts of earlier runs stay in artifacts/ but are not counted again
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s" >&2
  # -timeout: an input taking 10 s is a hang. -malloc_limit_mb: a single allocation above 1 GiB from
  # inputs of at most -max_len bytes is an attempt to allocate absurd memory, reported as a finding.
  # Past findings (fuzz/regressions/<target>) are replayed with the seeds.
  extra=()
  [ -d "$ROOT/fuzz/regressions/$t" ] && extra+=("$ROOT/fuzz/regressions/$t")
  set +e
  "$ROOT/$BUILD_DIR/fuzz/${t}_fuzzer" "$dir/corpus" "$ROOT/fuzz/corpus/$t" "${extra[@]}" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=3072 -malloc_limit_mb=1024 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" >"$dir/log.txt" 2>&1
  rc=$?
  set -e
  execs=$(awk '/^stat::number_of_executed_units:/ {v = $2} END {print v + 0}' "$dir/log.txt")
  rate=$(awk '/^stat::average_exec_per_sec:/ {v = $2} END {print v + 0}' "$dir/log.txt")
  cov=$(grep -o 'cov: [0-9]*' "$dir/log.txt" | tail -1 | grep -o '[0-9]*$' || echo 0)
  artifacts=$(find "$dir/artifacts" -type f -newer "$dir/run-start" | wc -l)
  if [ "$rc" -ne 0 ] || [ "$artifacts" -ne 0 ]; then
    found=1
    echo "fuzz: $t FOUND A PROBLEM (exit $rc), see $dir/log.txt and $dir/artifacts/" >&2
  fi
  rows+=("| $t | $SECONDS_PER_TARGET | $execs | $rate | $cov | $artifacts |")
done

{
  echo "# Fuzzing results"
  echo
  echo "\`scripts/fuzz.sh $SECONDS_PER_TARGET${*:+ $*}\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(clang++ --version | head -1))."
  echo
  echo "| target | seconds | executions | exec/s | coverage (edges) | crashes |"
  echo "|---|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
} | tee "$ROOT/fuzz/results.md"
exit $found
