#!/usr/bin/env bash
# Writes the seed corpora of the tokenizer pipeline targets (docs/fuzzing.md): fuzz/corpus/tokenizer_json,
# fuzz/corpus/bpe_files (make_tokenizer_seeds.js, with Hugging Face tokenizers from
# tools/tokenizers_oracle/node_modules) and fuzz/corpus/sentencepiece_model (spm_train, Debian's
# sentencepiece, on CoLA sentences; hostile variants edited with python3-protobuf's reader of the same
# schema). The models are tiny and their normalization rules a handful, so the seeds stay small;
# spm_train is deterministic for a fixed input and thread count, so rerunning rewrites the same files.
#   fuzz/make_tokenizer_seeds.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=$PWD/fuzz/corpus
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
command -v spm_train >/dev/null || { echo "make_tokenizer_seeds: needs spm_train (apt-get install sentencepiece)" >&2; exit 1; }
[ -d tools/tokenizers_oracle/node_modules/@anush008/tokenizers ] ||
  { echo "make_tokenizer_seeds: run 'npm install --ignore-scripts' in tools/tokenizers_oracle" >&2; exit 1; }

# A few normalization rules of each kind the charsmap holds: one code point to one (fullwidth letters,
# U+3000, no-break space), to several (ligatures), and several to one (e + combining acute), which
# the Precompiled normalizer looks up as a whole grapheme cluster.
{
  for i in $(seq 0 25); do printf '%X\t%X\n' $((0xFF21 + i)) $((0x41 + i)); done
  printf 'FB01\t66 69\nFB02\t66 6C\n3000\t20\nA0\t20\n65 301\tE9\n212B\tC5\n2460\t31\n'
} >"$T/rules.tsv"
{ awk -F'\t' 'NR <= 3000 { print $4 }' data/glue/CoLA/train.tsv
  printf 'caf\xc3\xa9 na\xc3\xafve \xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3 \xef\xac\x81ne \xef\xac\x82y\n'; } >"$T/corpus.txt"
# The model stores its training flags, paths included: relative paths keep reruns byte-identical.
train() {  # train <name> <vocab size> <more flags...>
  local name=$1 size=$2
  shift 2
  (cd "$T" && spm_train --input=corpus.txt --model_prefix="$name" --vocab_size="$size" --model_type=unigram \
    --num_threads=1 --minloglevel=2 "$@" >/dev/null 2>&1)
}
train xlmr 80 --character_coverage=0.98 --normalization_rule_tsv=rules.tsv
train xlmr_bf 320 --character_coverage=0.98 --normalization_rule_tsv=rules.tsv --byte_fallback=true
train identity 80 --character_coverage=0.98 --normalization_rule_name=identity --add_dummy_prefix=false --remove_extra_whitespaces=false
PY=/usr/bin/python3
$PY tools/tokenizers_oracle/spm_to_tokenizer_json.py "$T/xlmr.model" "$T/xlmr.json"
charsmap=$($PY -c '
import base64, sys
from sentencepiece import sentencepiece_model_pb2
m = sentencepiece_model_pb2.ModelProto()
m.ParseFromString(open(sys.argv[1], "rb").read())
print(base64.b64encode(m.normalizer_spec.precompiled_charsmap).decode())' "$T/xlmr.model")

rm -rf "$CORPUS/tokenizer_json" "$CORPUS/bpe_files" "$CORPUS/sentencepiece_model"
node fuzz/make_tokenizer_seeds.js "$CORPUS" "$T/xlmr.json" "$charsmap"

# SentencePiece models, and hostile edits: each field the reader takes, made wrong.
$PY - "$T" "$CORPUS/sentencepiece_model" <<'PY'
import os, struct, sys
from sentencepiece import sentencepiece_model_pb2 as pb

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
def load(name):
    m = pb.ModelProto()
    m.ParseFromString(open(os.path.join(src, name + ".model"), "rb").read())
    return m
def put(name, data):
    open(os.path.join(out, name), "wb").write(data if isinstance(data, bytes) else data.SerializeToString())
def edited(name, change):
    m = load(name)
    change(m)
    return m

for name in ("xlmr", "xlmr_bf", "identity"):
    put(name, load(name))
raw = load("xlmr").SerializeToString()
put("truncated", raw[: len(raw) // 2])
put("empty", b"")
put("one_byte", b"\x0a")
put("varint_11_bytes", b"\x08" + b"\xff" * 10 + b"\x01")
put("length_past_end", b"\x0a\xff\xff\xff\xff\x0f" + raw[:64])
put("wire_type_7", b"\x0f" + raw)
put("field_zero", b"\x02\x00" + raw)
put("fixed64_cut", raw + b"\x49\x00\x00")
put("pieces_only", b"".join(b"\x0a" + bytes([len(p)]) + p for p in
    (pb.ModelProto.SentencePiece(piece=s, score=-1.0).SerializeToString() for s in ("<unk>", "<s>", "</s>", "a"))))
put("three_pieces", edited("identity", lambda m: [m.pieces.pop() for _ in range(len(m.pieces) - 3)]))
put("model_type_bpe", edited("xlmr", lambda m: setattr(m.trainer_spec, "model_type", 2)))
put("unk_id_negative", edited("xlmr", lambda m: setattr(m.trainer_spec, "unk_id", -5)))
def scores(m):
    m.pieces[4].score = float("nan")
    m.pieces[5].score = float("inf")
    m.pieces[6].score = float("-inf")
    m.pieces[7].score = -3.4e38
put("scores_nan_inf", edited("xlmr", scores))
put("piece_empty", edited("xlmr", lambda m: setattr(m.pieces[5], "piece", "")))
put("piece_invalid_utf8", edited("xlmr", lambda m: m.pieces[5].MergeFromString(b"\x0a\x02\xc3\x28")))
put("piece_types", edited("xlmr", lambda m: [setattr(p, "type", t) for p, t in zip(m.pieces[3:], range(1, 7))]))
put("byte_fallback_without_bytes", edited("xlmr", lambda m: setattr(m.trainer_spec, "byte_fallback", True)))
charsmap = load("xlmr").normalizer_spec.precompiled_charsmap
def with_charsmap(blob):
    return edited("xlmr", lambda m: setattr(m.normalizer_spec, "precompiled_charsmap", blob))
put("charsmap_truncated", with_charsmap(charsmap[:3]))
put("charsmap_trie_too_big", with_charsmap(struct.pack("<I", len(charsmap) * 4) + charsmap[4:]))
put("charsmap_trie_odd", with_charsmap(struct.pack("<I", 6) + charsmap[4:]))
put("charsmap_trie_only", with_charsmap(struct.pack("<I", len(charsmap) - 4) + charsmap[4:]))
trie = struct.unpack_from("<I", charsmap)[0]
put("charsmap_replacements_invalid_utf8", with_charsmap(charsmap[: 4 + trie] + b"\xff\xfe\x00"))
put("charsmap_replacements_cut", with_charsmap(charsmap[: 4 + trie + 3]))
units = bytearray(charsmap[4 : 4 + trie])
for k in range(0, len(units), 28):
    units[k : k + 4] = struct.pack("<I", struct.unpack_from("<I", units, k)[0] ^ 0x7FFFFC00)
put("charsmap_trie_scrambled", with_charsmap(charsmap[:4] + bytes(units) + charsmap[4 + trie :]))
PY
du -sh "$CORPUS/tokenizer_json" "$CORPUS/bpe_files" "$CORPUS/sentencepiece_model"
