# JPQD end to end on RoBERTa (tests/integration/family_jpqd.bash) with a byte-level BPE tokenizer of the
# classic files (vocab.json + merges.txt) learned from SST-2 by make_family_tokenizer.py.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/family_jpqd.bash"
/usr/bin/python3 "$SRC/tests/integration/make_family_tokenizer.py" roberta "$SRC" "$WORK/tokenizer" ||
  fail "making the RoBERTa tokenizer"
family_jpqd roberta roberta-jpqd.json "$WORK/tokenizer"
