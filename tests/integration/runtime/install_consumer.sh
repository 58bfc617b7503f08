# The installed package as a user sees it (README, "Use as a library"): `cmake --install` of this build into
# a fresh prefix, then examples/ configured and built as a project of its own against find_package(jpqd), and
# the runtime example built once more with nothing but pkg-config. In the runtime-only build that is
# jpqd::runtime alone; in the full build jpqd::training too. Checks:
#  1. the prefix holds the binary, the libraries, the CMake package, jpqd-runtime.pc and exactly the public
#     headers (nothing of src/); the libraries export jpqd's public API and nothing else (no internal or
#     third-party symbol a consumer could collide with); the runtime library does not link LibTorch;
#  2. the runtime examples, linked only against the installed libraries: classify on the checked-in tiny
#     models gives the same logits through Model::predict, a two-stream Session and Model::run on the
#     tokenizer's ids, for a classifier and a question answering model; tokenize gives `jpqd tokenize`'s
#     encodings; a missing model file is one error line and the CLI's exit code;
#  3. full build: the training example trains a random bert-tiny for two steps through jpqd::train_glue and
#     exports a model.jpqd that the installed runtime example then serves.
# Exits 77 (skipped) in a sanitizer build.
source "$(dirname "$0")/../lib.bash"
BUILD=$(cd "$(dirname "$JPQD")/.." && pwd)
PREFIX=$WORK/prefix
PY=/usr/bin/python3
# A sanitizer build's libraries need their runtime loaded first, which neither a plain consumer nor python3 does.
if grep -q '^JPQD_SANITIZE:BOOL=ON$' "$BUILD/CMakeCache.txt"; then echo "sanitizer build: skipped"; exit 77; fi
training=0
grep -q '^JPQD_BUILD_TRAINING:BOOL=ON$' "$BUILD/CMakeCache.txt" && training=1

cmake --install "$BUILD" --prefix "$PREFIX" >"$WORK/install.log" 2>&1 || { cat "$WORK/install.log"; fail "cmake --install"; }

# 1. Layout and exported symbols.
for f in bin/jpqd include/jpqd/error.h include/jpqd/runtime.h include/jpqd/tokenizer.h lib/libjpqd_runtime.so \
  lib/cmake/jpqd/jpqdConfig.cmake lib/cmake/jpqd/jpqdConfigVersion.cmake lib/pkgconfig/jpqd-runtime.pc; do
  [ -e "$PREFIX/$f" ] || fail "cmake --install did not install $f"
done
public_headers="error.h runtime.h tokenizer.h"
[ "$training" = 1 ] && public_headers="error.h runtime.h tokenizer.h training.h"
installed_headers=$(cd "$PREFIX/include" && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ')
expected_headers=$(for h in $public_headers; do echo "jpqd/$h"; done | sort | tr '\n' ' ')
[ "$installed_headers" = "$expected_headers" ] || fail "installed headers: $installed_headers, expected $expected_headers"
# Every installed header compiles on its own, with nothing but the installed include path.
for h in $public_headers; do
  echo "#include <jpqd/$h>" | g++ -std=c++17 -fsyntax-only -x c++ -I"$PREFIX/include" - ||
    fail "jpqd/$h is not self-contained"
done
check_exports() {  # check_exports <library> <pattern of the public API>
  local unexpected
  unexpected=$(nm -D --defined-only "$1" | c++filt | awk '{ $1 = ""; $2 = ""; sub(/^  /, ""); print }' |
    grep -Ev "$2" || true)
  [ -z "$unexpected" ] || fail "$(basename "$1") exports more than the public API: $(head -5 <<<"$unexpected")"
}
check_exports "$PREFIX/lib/libjpqd_runtime.so" \
  '^jpqd::(runtime::(Model|Session|StreamPool)::|runtime::(effective_isa|set_thread_count_for_this_thread|thread_count_for_this_thread|available_cores|plan_threads|run_command)|Tokenizer::)|^JPQD_|^_init$|^_fini$'
if ldd "$PREFIX/lib/libjpqd_runtime.so" | grep -Ei 'libtorch|libc10'; then fail "libjpqd_runtime.so links LibTorch"; fi
if [ "$training" = 1 ]; then
  [ -e "$PREFIX/lib/libjpqd_training.so" ] || fail "cmake --install did not install libjpqd_training.so"
  check_exports "$PREFIX/lib/libjpqd_training.so" \
    '^jpqd::(run_command|train_glue|export_model|TrainingArguments::|GlueArguments::|CompressionConfig::)|^_init$|^_fini$'
fi

# 2. examples/ as a consumer project of the installed package, and classify.cc once more through pkg-config.
cmake -S "$SRC/examples" -B "$WORK/consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PREFIX" \
  >"$WORK/consumer.log" 2>&1 && cmake --build "$WORK/consumer" >>"$WORK/consumer.log" 2>&1 ||
  { cat "$WORK/consumer.log"; fail "building examples/ against the installed package"; }
[ "$training" = 0 ] || [ -x "$WORK/consumer/jpqd_example_sst2_jpqd" ] || fail "find_package(jpqd) gave no jpqd::training"
PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" g++ -std=c++17 -O1 "$SRC/examples/classify.cc" -o "$WORK/classify_pc" \
  $(PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" pkg-config --cflags --libs jpqd-runtime) || fail "building with pkg-config"
for exe in "$WORK/consumer/jpqd_example_classify" "$WORK/consumer/jpqd_example_tokenize" "$WORK/classify_pc"; do
  if ldd "$exe" | grep -Ei 'libtorch|libc10'; then fail "$(basename "$exe") links LibTorch"; fi
done

FIXTURES=$SRC/tests/fixtures/runtime
export LD_LIBRARY_PATH=$PREFIX/lib  # pkg-config's build has no rpath
classify_checks() {  # classify_checks <output>: both self-checks ran and agreed bit for bit
  grep -qx $'check\tsession\t0 differ' "$1" && grep -qx $'check\trun\t0 differ' "$1" ||
    fail "the runtime example's three ways disagree: $(cat "$1")"
}
for exe in "$WORK/consumer/jpqd_example_classify" "$WORK/classify_pc"; do
  "$exe" "$FIXTURES/tiny_int8_cls.jpqd" "hello world" "the end" "of days" >"$WORK/cls.txt" 2>&1 ||
    { cat "$WORK/cls.txt"; fail "classify"; }
  classify_checks "$WORK/cls.txt"
  [ "$(grep -c $'^label\t\\(neg\\|neutral\\|pos\\)\t' "$WORK/cls.txt")" = 3 ] || fail "classify: $(cat "$WORK/cls.txt")"
done
"$WORK/consumer/jpqd_example_classify" "$FIXTURES/tiny_fp32_qa_relu.jpqd" --pairs "what" "hello world of days" \
  "who" "the end" >"$WORK/qa.txt" 2>&1 || { cat "$WORK/qa.txt"; fail "classify, question answering"; }
classify_checks "$WORK/qa.txt"
[ "$(grep -c $'^answer\t' "$WORK/qa.txt")" = 2 ] || fail "classify --pairs: $(cat "$WORK/qa.txt")"
rc=0; "$WORK/consumer/jpqd_example_classify" "$WORK/missing.jpqd" text >/dev/null 2>"$WORK/missing.txt" || rc=$?
[ "$rc" = 3 ] && [ "$(wc -l <"$WORK/missing.txt")" = 1 ] && grep -q "^error: $WORK/missing.jpqd: " "$WORK/missing.txt" ||
  fail "a missing model: exit $rc, $(cat "$WORK/missing.txt")"

# The public tokenizer against the CLI's on the shipped vocabulary, singles and pairs, with and without truncation.
VOCAB=$SRC/data/vocab/bert-base-uncased
printf '%s\n' "Hello, World!" "Héllo wörld — naïve café" $'Is it good?\tIt is, très good.' "unbelievably runnings" \
  >"$WORK/texts.txt"
$PY - "$WORK/texts.txt" "$WORK/texts.jsonl" <<'PYEOF'
import json, sys
with open(sys.argv[2], "w") as out:
    for line in open(sys.argv[1], encoding="utf-8"):
        text, _, pair = line.rstrip("\n").partition("\t")
        out.write(json.dumps({"text": text, **({"text_pair": pair} if pair else {})}) + "\n")
PYEOF
for max_length in 0 8; do
  "$WORK/consumer/jpqd_example_tokenize" "$VOCAB" "$max_length" <"$WORK/texts.txt" >"$WORK/api.jsonl" ||
    fail "tokenize example"
  flags=(); [ "$max_length" = 0 ] || flags=(--max_length "$max_length" --truncation longest_first)
  "$JPQD" tokenize --tokenizer_name_or_path "$VOCAB" --input "$WORK/texts.jsonl" "${flags[@]}" >"$WORK/cli.jsonl" ||
    fail "jpqd tokenize"
  $PY - "$WORK/api.jsonl" "$WORK/cli.jsonl" <<'PYEOF' || fail "the installed tokenizer differs from jpqd tokenize (max_length $max_length)"
import json, sys
api = [json.loads(l) for l in open(sys.argv[1])]
cli = [json.loads(l) for l in open(sys.argv[2])]
assert len(api) == len(cli) == 4, (len(api), len(cli))
for a, c in zip(api, cli):
    for key in ("input_ids", "token_type_ids", "attention_mask", "tokens", "offsets"):
        assert a[key] == c[key], (key, a[key], c[key])
PYEOF
done

# 3. Training through the installed jpqd::training, and the runtime serving its export.
if [ "$training" = 1 ]; then
  export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
  JPQD_DATA_DIR=$SRC/data "$WORK/consumer/jpqd_example_sst2_jpqd" --student bert-tiny \
    --config "$SRC/configs/tiny-smoke-jpqd.json" --max_train_samples 32 --max_eval_samples 32 --max_steps 2 \
    --output_dir "$WORK/trained" >"$WORK/metrics.json" 2>"$WORK/train.log" ||
    { tail -20 "$WORK/train.log"; fail "the training example against the installed package"; }
  grep -q '"eval_accuracy"' "$WORK/metrics.json" || fail "no eval_accuracy from train_glue: $(cat "$WORK/metrics.json")"
  "$WORK/consumer/jpqd_example_classify" "$WORK/trained/model.jpqd" "a fine film" "dull" >"$WORK/trained.txt" 2>&1 ||
    { cat "$WORK/trained.txt"; fail "serving the trained model"; }
  classify_checks "$WORK/trained.txt"
fi
echo "installed package: headers, libraries and exports as public as they should be; consumers built with CMake" \
  "and pkg-config run$([ "$training" = 1 ] && echo ", training included")"
