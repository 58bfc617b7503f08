# JPQD end to end on XLM-RoBERTa (tests/integration/family_jpqd.bash) with a SentencePiece Unigram model
# (sentencepiece.bpe.model) trained on SST-2 by spm_train. The RoBERTa config's scopes also select XLM-R's
# XLMRoberta* classes (docs/scopes.md).
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/family_jpqd.bash"
command -v spm_train >/dev/null || { echo "spm_train not found (Debian package sentencepiece): skipped"; exit 77; }
/usr/bin/python3 "$SRC/tests/integration/make_family_tokenizer.py" xlm-roberta "$SRC" "$WORK/tokenizer" ||
  fail "making the XLM-R tokenizer"
family_jpqd xlm-roberta roberta-jpqd.json "$WORK/tokenizer"
