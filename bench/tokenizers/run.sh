#!/usr/bin/env bash
# Batch-encoding throughput: jpqd's tokenizer.json pipeline (encode_throughput.cc) against Hugging Face
# tokenizers (library_throughput.js, the Rust library via tools/tokenizers_oracle/node_modules), on the same
# tokenizers, texts and settings (batch 32, truncation longest_first to 128, padding to the longest).
#  - tokenizers, built as tests/integration/runtime/tokenizers_oracle.sh builds them: bert (WordPiece,
#    bert-base-uncased's vocab), roberta (GPT-2's byte-level BPE) and xlmr (SentencePiece Unigram from
#    spm_train, vocabulary 8000, Precompiled nmt_nfkc + Metaspace);
#  - texts: sst2 (6,735 SST-2 training sentences, every 10th) and mrpc (the 3,668 MRPC training pairs);
#  - first both sides' ids on every input must be identical; then, per thread count, kind and texts,
#    jpqd and the library run alternately ROUNDS times, and each round's jpqd/library ratio is paired.
# The table gives the mean texts/s of the rounds and the median of the paired ratios (> 1: jpqd faster).
# The binding's encodeBatch takes single texts only, so the library encodes pairs with one async encode()
# call each; at 1 thread the cost of such a call is measured too (sst2 through encode() against
# encodeBatch) and the last column gives the pair ratio with that cost taken off the library's time.
# 1 thread: jpqd single-threaded, the library with RAYON_NUM_THREADS=1, UV_THREADPOOL_SIZE=1 and
# TOKENIZERS_PARALLELISM=false;
# 2 threads: jpqd's --threads 2 pool, the library with both set to 2.
#
#   bench/tokenizers/run.sh [build dir]         (default build/; needs bench_tokenizer_encode built)
#   env: SECONDS_PER_RUN (5), ROUNDS (2), THREADS ("1 2"), WORK (a temp dir), KINDS ("bert roberta xlmr";
#        also gpt2, bert_cased, bpe_trained, wordlevel: the other tokenizers build_tokenizers.js makes)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
BENCH=$BUILD/bench/bench_tokenizer_encode
ORACLE_DIR=$SRC/tools/tokenizers_oracle
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-2}
THREADS=${THREADS:-1 2}
KINDS=${KINDS:-bert roberta xlmr}
WORK=${WORK:-$(mktemp -d /tmp/jpqd-tokbench.XXXXXX)}
T=$WORK/tokenizers
mkdir -p "$T" "$WORK/in" "$WORK/out"

[ -x "$BENCH" ] || { echo "run.sh: $BENCH missing: build the bench_tokenizer_encode target" >&2; exit 1; }
[ -d "$ORACLE_DIR/node_modules/@anush008/tokenizers" ] ||
  { echo "run.sh: run 'npm install --ignore-scripts' in tools/tokenizers_oracle" >&2; exit 1; }

node "$ORACLE_DIR/build_tokenizers.js" "$SRC" "$T" >/dev/null
if [[ " $KINDS " == *" xlmr "* ]]; then
  { awk -F'\t' 'NR > 1 && NR <= 20001 { print $1 }' "$SRC/data/glue/SST-2/train.tsv"
    awk -F'\t' 'NR > 1 { print $4; print $5 }' "$SRC/data/glue/MRPC/train.tsv"
    cat "$T/cola.txt"; } >"$T/spm.txt"
  spm_train --input="$T/spm.txt" --model_prefix="$T/xlmr" --vocab_size=8000 --model_type=unigram \
    --minloglevel=2 >/dev/null 2>&1
  mkdir -p "$T/xlmr"
  /usr/bin/python3 "$ORACLE_DIR/spm_to_tokenizer_json.py" "$T/xlmr.model" "$T/xlmr/tokenizer.json"
  echo '{"pad_token": "<pad>", "model_max_length": 512}' >"$T/xlmr/tokenizer_config.json"
fi

python3 - "$SRC" "$WORK/in" <<'PY'
import json, sys
src, out = sys.argv[1], sys.argv[2]
def rows(path):
    with open(path, encoding="utf-8-sig") as f:
        return [l.split("\t") for l in f.read().split("\n")[1:] if l]
with open(f"{out}/sst2.jsonl", "w", encoding="utf-8") as f:
    for r in rows(f"{src}/data/glue/SST-2/train.tsv")[::10]:
        f.write(json.dumps({"text": r[0]}, ensure_ascii=False) + "\n")
with open(f"{out}/mrpc.jsonl", "w", encoding="utf-8") as f:
    for r in rows(f"{src}/data/glue/MRPC/train.tsv"):
        f.write(json.dumps({"text": r[3], "text_pair": r[4]}, ensure_ascii=False) + "\n")
PY
DATASETS="sst2 mrpc"

ours() { "$BENCH" --tokenizer "$T/$1" --input "$WORK/in/$2.jsonl" --threads "$3" "${@:4}"; }
# At 1 thread the library also runs with TOKENIZERS_PARALLELISM=false: its serial path, without handing
# each batch to a rayon thread (a little faster than RAYON_NUM_THREADS=1 alone).
library() {
  local parallel=true
  [ "$3" = 1 ] && parallel=false
  RAYON_NUM_THREADS=$3 UV_THREADPOOL_SIZE=$3 TOKENIZERS_PARALLELISM=$parallel \
    node "$SRC/bench/tokenizers/library_throughput.js" --tokenizer "$T/$1" --input "$WORK/in/$2.jsonl" "${@:4}"
}

# Identity check: every input's ids, type ids and mask, from both sides.
for kind in $KINDS; do
  for data in $DATASETS; do
    ours "$kind" "$data" 1 --seconds 0 --dump "$WORK/out/$kind.$data.jpqd" >/dev/null
    library "$kind" "$data" 1 --seconds 0 --dump "$WORK/out/$kind.$data.library" >/dev/null
    cmp -s "$WORK/out/$kind.$data.jpqd" "$WORK/out/$kind.$data.library" ||
      { echo "run.sh: $kind on $data: jpqd's ids differ from the library's ($WORK/out)" >&2; exit 1; }
  done
done
echo "identity check: $KINDS on $DATASETS: every input's ids identical" >&2

RESULTS=$WORK/results.jsonl
: >"$RESULTS"
for round in $(seq "$ROUNDS"); do
  for threads in $THREADS; do
    for kind in $KINDS; do
      for data in $DATASETS; do
        for side in ours library; do
          line=$($side "$kind" "$data" "$threads" --seconds "$SECONDS_PER_RUN")
          echo "{\"round\":$round,\"kind\":\"$kind\",\"data\":\"$data\",\"threads\":$threads,\"run\":$line}" >>"$RESULTS"
          echo "round $round, $threads thread(s), $kind/$data, $side: $line" >&2
        done
      done
      # The library's cost of one encode() and one pad() call (what its pair figures pay per pair):
      # single texts through those calls against the same texts through encodeBatch.
      if [ "$threads" = 1 ]; then
        line=$(library "$kind" sst2 1 --seconds "$SECONDS_PER_RUN" --per_input)
        echo "{\"round\":$round,\"kind\":\"$kind\",\"data\":\"sst2\",\"threads\":1,\"run\":$line}" >>"$RESULTS"
        echo "round $round, 1 thread, $kind/sst2, library per input: $line" >&2
      fi
    done
  done
done

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(grep -q avx512f /proc/cpuinfo && echo 'AVX-512' || echo 'no AVX-512'), $(nproc) cores"
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
def side(r):
    return "per_input" if r["run"].get("per_input") else r["run"]["side"]
keys = []
for r in runs:
    k = (r["threads"], r["kind"], r["data"])
    if k not in keys: keys.append(k)
# The library's per-call cost by kind: median over rounds of 1/(per-input rate) - 1/(encodeBatch rate).
call_cost = {}
for kind in {k[1] for k in keys}:
    sel = [r for r in runs if (r["threads"], r["kind"], r["data"]) == (1, kind, "sst2")]
    batch = {r["round"]: r["run"]["texts_per_s"] for r in sel if side(r) == "library"}
    single = {r["round"]: r["run"]["texts_per_s"] for r in sel if side(r) == "per_input"}
    if set(batch) & set(single):
        call_cost[kind] = statistics.median(1 / single[n] - 1 / batch[n] for n in set(batch) & set(single))
print("| threads | kind | texts | jpqd texts/s | library texts/s | jpqd MB/s | library MB/s | jpqd / library | "
      "without the library's per-pair call |")
print("|---:|---|---|---:|---:|---:|---:|---:|---:|")
for k in keys:
    mine = [r for r in runs if (r["threads"], r["kind"], r["data"]) == k]
    ours = {r["round"]: r["run"] for r in mine if side(r) == "jpqd"}
    lib = {r["round"]: r["run"] for r in mine if side(r) == "library"}
    rounds = sorted(set(ours) & set(lib))
    ratio = statistics.median(ours[n]["texts_per_s"] / lib[n]["texts_per_s"] for n in rounds)
    mean = lambda s, key: statistics.mean(s[n][key] for n in rounds)
    # Pairs go through one encode() call each (the binding's encodeBatch takes single texts); this
    # column takes the measured cost of those calls off the library's time.
    adjusted = "-"
    if k[0] == 1 and k[2] == "mrpc" and k[1] in call_cost:
        adjusted = "%.2fx (%.1f us/call)" % (statistics.median(
            ours[n]["texts_per_s"] * (1 / lib[n]["texts_per_s"] - call_cost[k[1]]) for n in rounds),
            call_cost[k[1]] * 1e6)
    print(f"| {k[0]} | {k[1]} | {k[2]} | {mean(ours, 'texts_per_s'):,.0f} | {mean(lib, 'texts_per_s'):,.0f} | "
          f"{mean(ours, 'mb_per_s'):.2f} | {mean(lib, 'mb_per_s'):.2f} | {ratio:.2f}x | {adjusted} |")
PY
