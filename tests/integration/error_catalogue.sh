# docs/ERRORS.md, checked: every catalogue entry is one case here, announced by its tag ("== <tag>").
# Each bad input must give its exit code and exactly one "jpqd: error:" line with the catalogue's text
# (CLI11 usage errors: CLI11's own two lines), and leave no output behind: an output directory or file
# that did not exist is not created, an existing one is left unchanged.
# Cases already in glue_bad_input.sh are not repeated (ERRORS.md names that script for them).
source "$(dirname "$0")/lib.bash"
# As jpqd would set them itself: with them set it does not re-execute itself, and each case starts faster.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
export JPQD_DATA_DIR=${JPQD_DATA_DIR:-$SRC/data}
cd "$WORK"
cases=0
tag() { echo "== $1"; cases=$((cases + 1)); }

# expect_usage_error <exit code> <text> -- <command...>: CLI11 rejects the command line (its message, then
# "Run with --help for more information."), before any jpqd code runs.
expect_usage_error() {
  local code=$1 text=$2; shift 3
  local out rc=0
  out=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -eq "$code" ] || fail "expected exit $code, got $rc from: $* -- output: $out"
  grep -qF -- "$text" <<<"$out" || fail "expected '$text' in the usage error of: $* -- output: $out"
  grep -qF "Run with --help for more information." <<<"$out" || fail "not a CLI11 usage error: $* -- output: $out"
  ! grep -q '^jpqd: \(internal \)\?error' <<<"$out" || fail "a usage error went past CLI11: $* -- output: $out"
  absent "${outputs[@]}"
}

# expect_msg: lib.bash's expect_error with the text taken literally (messages quote "[0, 1]", ".json").
expect_msg() {
  local code=$1 text
  text=$(sed 's/[][\\.*^$]/\\&/g' <<<"$2")
  shift 2
  expect_error "$code" "$text" "$@"
  absent "${outputs[@]}"
}

# The guarantees. absent: a failed command created nothing there; after every case, the paths in
# `outputs` (the outputs the cases of a section name) are checked. snapshot/unchanged: an existing
# directory keeps its files and their contents.
outputs=()
absent() { for p in "$@"; do [ ! -e "$p" ] || fail "a failed command left $p behind"; done; }
snapshot() { (cd "$1" && find . -type f -exec sha1sum {} + | sort); }
unchanged() { [ "$(snapshot "$1")" = "$2" ] || fail "a failed command changed $1"; }

# ---- Fixtures: tiny data, a 1-step bert-tiny classifier (2 labels), a 3-label one, and files derived from them.
printf 'sentence\tlabel\ngood film\t1\nbad film\t0\nfine work\t1\nawful\t0\n' > train.tsv
printf 'sentence\tlabel\ngood film\t1\nbad film\t0\nfine work\t2\nawful\t0\n' > train3.tsv
make_classifier() {  # make_classifier <train file> <dir>
  "$JPQD" glue --model_name_or_path bert-tiny --train_file "$1" --validation_file "$1" --do_train --max_steps 1 \
    --save_strategy no --disable_tqdm --output_dir "$2" >/dev/null 2>&1 || fail "could not make the fixture $2"
}
make_classifier train.tsv cls
make_classifier train3.tsv cls3
MODEL=cls/model.jpqd
[ -f "$MODEL" ] || fail "the fixture run exported no model.jpqd"
weightless() {  # a copy of the classifier without its weights
  mkdir -p "$1" && cp cls/config.json cls/vocab.txt cls/tokenizer_config.json cls/special_tokens_map.json "$1"/
}
weightless trunc && head -c 100000 cls/model.safetensors > trunc/model.safetensors
weightless garbled && /usr/bin/python3 - cls/model.safetensors garbled/model.safetensors <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read()); b[8:20] = b'x' * 12; open(sys.argv[2], 'wb').write(b)
EOF
weightless hugeheader && /usr/bin/python3 - cls/model.safetensors hugeheader/model.safetensors <<'EOF'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read()); b[0:8] = struct.pack('<Q', 1 << 60); open(sys.argv[2], 'wb').write(b)
EOF
weightless noweights
weightless shard
echo '{"weight_map": {"bert.embeddings.word_embeddings.weight": "model-00001-of-00002.safetensors"}}' \
  > shard/model.safetensors.index.json
weightless torchbin && head -c 5000 /dev/urandom > torchbin/pytorch_model.bin
cp -r cls heads && sed -i 's/"num_attention_heads": [0-9]*/"num_attention_heads": 3/' heads/config.json
cp -r cls act && sed -i 's/"hidden_act": "gelu"/"hidden_act": "swish2"/' act/config.json
cp -r cls cased && cp "$SRC/data/vocab/bert-base-cased/vocab.txt" cased/vocab.txt
cp -r cls bigvocab && echo extratoken >> bigvocab/vocab.txt
cp -r cls novocab && rm novocab/vocab.txt
mkdir -p notrun && echo "not a run" > notrun/README
VOCAB="$SRC/data/vocab/bert-base-uncased/vocab.txt"
mkdir -p vocab_nounk vocab_empty vocab_dup
grep -vx '\[UNK\]' "$VOCAB" > vocab_nounk/vocab.txt
: > vocab_empty/vocab.txt
{ cat "$VOCAB"; echo the; } > vocab_dup/vocab.txt
head -c 3000 "$MODEL" > truncated.jpqd
cp cls/config.json notjpqd.jpqd
/usr/bin/python3 - "$MODEL" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
f = bytearray(b); f[len(f) // 2] ^= 0xff; open('flipped.jpqd', 'wb').write(f)
open('version.jpqd', 'wb').write(b[:8] + b'\xff' * 8 + b[16:])
EOF
touch a_file

# ---- CLI11 usage errors (the same for every command).
outputs=(out)
tag cli.unknown-command
expect_usage_error 106 "A subcommand is required" -- "$JPQD" frobnicate
tag cli.unknown-flag
expect_usage_error 109 "The following argument was not expected: --bogus" \
  -- "$JPQD" eval -m "$MODEL" --task_name sst2 --bogus
tag cli.not-a-number
expect_usage_error 104 "Could not convert: --max_steps = ten" -- "$JPQD" glue --model_name_or_path bert-tiny \
  --task_name sst2 --do_train --output_dir out --max_steps ten
tag cli.missing-required
expect_usage_error 106 "--model is required" -- "$JPQD" benchmark
tag cli.repeated-option
expect_usage_error 114 "--save_strategy: At Most 1 required but received 2" -- "$JPQD" glue \
  --model_name_or_path bert-tiny --task_name sst2 --do_train --output_dir out --save_strategy no --save_strategy steps

# ---- glue: flags, teachers, compression configs, checkpoints, tokenizers.
glue=("$JPQD" glue --train_file train.tsv --validation_file train.tsv --do_train --max_steps 1 --save_strategy no
      --disable_tqdm --output_dir out)
tag glue.pad-to-max-length
expect_msg 2 '--pad_to_max_length: expected true or false, got "maybe"' -- "${glue[@]}" --model_name_or_path bert-tiny \
  --pad_to_max_length maybe
tag glue.strategy
expect_msg 2 '--evaluation_strategy: "sometimes" is not one of no, steps, epoch' -- "${glue[@]}" \
  --model_name_or_path bert-tiny --evaluation_strategy sometimes
tag glue.lr-scheduler
expect_msg 2 '--lr_scheduler_type: "wobbly" is not supported' -- "${glue[@]}" --model_name_or_path bert-tiny \
  --lr_scheduler_type wobbly
tag glue.batch-size
expect_msg 2 "--per_device_train_batch_size must be positive, got 0" -- "${glue[@]}" --model_name_or_path bert-tiny \
  --per_device_train_batch_size 0
tag glue.device
expect_msg 2 '--device: "tpu" is not cpu or cuda' -- "${glue[@]}" --model_name_or_path bert-tiny --device tpu
tag glue.max-seq-length-low
expect_msg 2 "--max_seq_length 2 must be in [4, 512]" -- "${glue[@]}" --model_name_or_path bert-tiny --max_seq_length 2
tag glue.distillation-weight
expect_msg 2 "--distillation_weight must be in [0, 1], got 1.5" -- "${glue[@]}" --model_name_or_path bert-tiny \
  --distillation_weight 1.5
tag glue.distillation-temperature
expect_msg 2 "--distillation_temperature must be at least 1, got 0.5" -- "${glue[@]}" --model_name_or_path bert-tiny \
  --distillation_temperature 0.5
tag glue.resume-missing
expect_msg 3 "no-such-checkpoint: checkpoint directory does not exist" -- "${glue[@]}" --model_name_or_path bert-tiny \
  --resume_from_checkpoint no-such-checkpoint
tag glue.resume-not-checkpoint
expect_msg 4 "notrun: incomplete checkpoint (no manifest.json)" -- "${glue[@]}" --model_name_or_path bert-tiny \
  --resume_from_checkpoint notrun
tag glue.teacher-missing
expect_msg 3 "no-such-teacher: not a checkpoint directory" -- "${glue[@]}" --model_name_or_path bert-tiny \
  --teacher_model_name_or_path no-such-teacher
tag glue.teacher-vocabulary
expect_msg 2 "--teacher_model_name_or_path bigvocab: the teacher's tokenizer has 30523 tokens but its vocab_size is 30522" \
  -- "${glue[@]}" --model_name_or_path bert-tiny --teacher_model_name_or_path bigvocab
tag glue.teacher-labels
expect_msg 2 "teacher has 3 labels, the student 2" -- "${glue[@]}" --model_name_or_path bert-tiny \
  --teacher_model_name_or_path cls3
tag glue.model-labels
expect_msg 2 "--model_name_or_path cls3: the model has 3 outputs but the data has 2 labels" -- "${glue[@]}" \
  --model_name_or_path cls3

# Compression configs (NNCF JSON): read strictly, checked against the model before the output directory exists.
cfg() { echo "$2" > "$1.json"; }
cfg missing_key '{"algorithm": "movement_sparsity", "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 2}}'
cfg unknown_key '{"algorithm": "quantization", "presett": "mixed"}'
cfg unknown_algorithm '{"algorithm": "magic"}'
cfg broken '[{"algorithm": "quantization",'
cfg no_match '{"algorithm": "quantization", "initializer": {"range": {"num_init_samples": 4}},
                "ignored_scopes": ["{re}.*nothing_like_this.*"]}'
cfg warmup '{"algorithm": "movement_sparsity",
              "params": {"warmup_start_epoch": 3, "warmup_end_epoch": 1, "importance_regularization_factor": 0.01}}'
cfg blocks '{"algorithm": "movement_sparsity",
              "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 2, "importance_regularization_factor": 0.01},
              "sparse_structure_by_scopes": [{"mode": "block", "sparse_factors": [7, 7],
                                              "target_scopes": "{re}.*BertAttention.*"}]}'
cfg percentiles '{"algorithm": "quantization",
                   "initializer": {"range": {"type": "percentile",
                                             "params": {"min_percentile": 90, "max_percentile": 10}}}}'
cfg bits '{"algorithm": "quantization", "weights": {"bits": 3}}'
cfg misplaced_multiplier '{"algorithm": "quantization", "weights": {"compression_lr_multiplier": 2}}'
cfg init_samples '{"algorithm": "quantization"}'
cfg sparsity_only '{"algorithm": "movement_sparsity",
                     "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 2,
                                "importance_regularization_factor": 0.01}}'
cfg quantization '{"algorithm": "quantization", "initializer": {"range": {"num_init_samples": 4}}}'
cfg negative_lambda '{"algorithm": "movement_sparsity",
                       "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 2,
                                  "importance_regularization_factor": -0.1}}'
cfg matched_twice '{"algorithm": "movement_sparsity",
                     "params": {"warmup_start_epoch": 1, "warmup_end_epoch": 2,
                                "importance_regularization_factor": 0.01},
                     "sparse_structure_by_scopes": [
                       {"mode": "fine", "target_scopes": "{re}.*BertAttention.*"},
                       {"mode": "per_dim", "axis": 0, "target_scopes": "{re}.*BertLayer\\[0\\].*"}]}'
nncf=("${glue[@]}" --model_name_or_path bert-tiny --nncf_compression_config)
tag config.missing-file
expect_msg 3 "no-such-config.json: cannot open" -- "${nncf[@]}" no-such-config.json
tag config.invalid-json
expect_msg 4 "broken.json: invalid JSON at byte" -- "${nncf[@]}" broken.json
tag config.unknown-key
expect_msg 2 'unknown_key.json: unknown key "presett"' -- "${nncf[@]}" unknown_key.json
tag config.missing-key
expect_msg 2 'missing_key.json.params: missing required key "importance_regularization_factor"' \
  -- "${nncf[@]}" missing_key.json
tag config.unknown-algorithm
expect_msg 2 'unknown compression algorithm "magic"' -- "${nncf[@]}" unknown_algorithm.json
tag config.scope-matches-nothing
expect_msg 2 'scope "{re}.*nothing_like_this.*" matches no node of the model' -- "${nncf[@]}" no_match.json
tag config.warmup-order
expect_msg 2 "requires 0 <= warmup_start_epoch < warmup_end_epoch" -- "${nncf[@]}" warmup.json
tag config.block-size
expect_msg 2 "cannot be split into blocks of sparse_factors [7, 7]" -- "${nncf[@]}" blocks.json
tag config.percentiles
expect_msg 2 "percentiles must satisfy 0 <= min_percentile < max_percentile <= 100" -- "${nncf[@]}" percentiles.json
tag config.bits
expect_msg 2 "weights.bits: 3 bits is not supported" -- "${nncf[@]}" bits.json
tag config.misplaced-key
expect_msg 2 "weights.compression_lr_multiplier: NNCF does not accept it here; it belongs in" \
  -- "${nncf[@]}" misplaced_multiplier.json
tag config.negative-regularization
expect_msg 2 "negative_lambda.json.params.importance_regularization_factor: must be >= 0, got -0.1" \
  -- "${nncf[@]}" negative_lambda.json
tag config.layer-matched-twice
expect_msg 2 "is matched by entries [0] and [1]; a layer may match only one" -- "${nncf[@]}" matched_twice.json
tag config.warmup-beyond-training
# --num_train_epochs, not --max_steps: a run that --max_steps cuts short only warns (a smoke run may mean it).
expect_msg 2 "warmup_end_epoch: 2 is beyond the 1 training epochs" -- "$JPQD" glue --train_file train.tsv \
  --validation_file train.tsv --do_train --num_train_epochs 1 --save_strategy no --disable_tqdm --output_dir out \
  --model_name_or_path bert-tiny --nncf_compression_config sparsity_only.json
tag config.init-samples
expect_msg 2 "num_init_samples: 256 is more than the 4 training samples" -- "${nncf[@]}" init_samples.json

# Checkpoints (safetensors, the shard index, pytorch_model.bin, config.json) and tokenizers.
ckpt=("${glue[@]}" --model_name_or_path)
tag checkpoint.truncated-safetensors
expect_msg 4 "trunc/model.safetensors: tensor bert.embeddings.word_embeddings.weight: data_offsets" \
  -- "${ckpt[@]}" trunc
tag checkpoint.garbled-safetensors
expect_msg 4 "garbled/model.safetensors (safetensors header): invalid JSON" -- "${ckpt[@]}" garbled
tag checkpoint.huge-header
expect_msg 4 "hugeheader/model.safetensors: header length 1152921504606846976 exceeds the limit" \
  -- "${ckpt[@]}" hugeheader
tag checkpoint.no-weights
expect_msg 3 "noweights: no model weights" -- "${ckpt[@]}" noweights
tag checkpoint.missing-shard
expect_msg 3 "shard/model.safetensors.index.json: shard model-00001-of-00002.safetensors is missing" \
  -- "${ckpt[@]}" shard
tag checkpoint.bad-pytorch-bin
expect_msg 4 "torchbin/pytorch_model.bin: not a readable torch.save zip archive" -- "${ckpt[@]}" torchbin
tag checkpoint.config-heads
expect_msg 4 "heads/config.json: hidden_size 128 is not a multiple of num_attention_heads 3" -- "${ckpt[@]}" heads
tag checkpoint.config-activation
expect_msg 4 'act/config.json: hidden_act "swish2" is not supported' -- "${ckpt[@]}" act
tok=("${glue[@]}" --model_name_or_path bert-tiny --tokenizer_name)
tag tokenizer.no-unk
expect_msg 4 "vocab_nounk/vocab.txt: no [UNK] token" -- "${tok[@]}" vocab_nounk
tag tokenizer.empty
expect_msg 4 "vocab_empty/vocab.txt: the vocabulary is empty" -- "${tok[@]}" vocab_empty
tag tokenizer.duplicate
expect_msg 4 'vocab_dup/vocab.txt: token "the" appears twice' -- "${tok[@]}" vocab_dup
tag tokenizer.missing
expect_msg 3 "novocab: no tokenizer.json, vocab.json + merges.txt, sentencepiece.bpe.model or vocab.txt" -- "${ckpt[@]}" novocab

# ---- qa: SQuAD files and the window flags.
squad() {  # squad <file> <answer text> <answer_start>
  printf '{"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": "The cat sat on the mat.",
    "qas": [{"id": "q1", "question": "Where did the cat sit?", "answers": [%s]}]}]}]}\n' \
    "${2:+{\"text\": \"$2\", \"answer_start\": $3\}}" > "$1"
}
squad good.json mat 19
squad offset.json mat 3
squad outside.json mat 300
squad noanswer.json
echo '{"data": 5}' > notsquad.json
qa=("$JPQD" qa --model_name_or_path bert-tiny --max_steps 1 --save_strategy no --disable_tqdm --output_dir out)
window=(--max_seq_length 64 --doc_stride 16)
tag qa.not-squad
expect_msg 4 'notsquad.json: not SQuAD JSON: "data" should be an array' -- "${qa[@]}" "${window[@]}" --do_train \
  --train_file notsquad.json
tag qa.answer-offset
expect_msg 4 'offset.json: question "q1" answer 0: text "mat" does not match the context at answer_start 3' \
  -- "${qa[@]}" "${window[@]}" --do_train --train_file offset.json
tag qa.answer-outside
expect_msg 4 "outside.json: question \"q1\" answer 0: answer_start 300 + 3 characters is outside the context" \
  -- "${qa[@]}" "${window[@]}" --do_train --train_file outside.json
tag qa.no-answer
expect_msg 4 'noanswer.json: question "q1": no answers' -- "${qa[@]}" "${window[@]}" --do_train \
  --train_file noanswer.json
tag qa.version-2
expect_msg 2 "--version_2_with_negative: SQuAD v2 (unanswerable questions) is not supported" \
  -- "${qa[@]}" "${window[@]}" --do_train --train_file good.json --version_2_with_negative
tag qa.no-train-file
expect_msg 2 "--do_train needs --train_file (SQuAD JSON)" -- "${qa[@]}" "${window[@]}" --do_train
tag qa.teacher-task
expect_msg 2 "the teacher is a BertForSequenceClassification, the student a BertForQuestionAnswering" \
  -- "${qa[@]}" "${window[@]}" --do_train --train_file good.json --teacher_model_name_or_path cls
tag qa.teacher-tokenizer
expect_msg 2 "--teacher_model_name_or_path cased: the teacher's tokenizer differs from the student's, and question answering compares span logits token by token" \
  -- "${qa[@]}" "${window[@]}" --do_train --train_file good.json --teacher_model_name_or_path cased
tag qa.doc-stride
expect_msg 2 "--doc_stride 64 must be positive and below --max_seq_length 64" -- "${qa[@]}" --do_train \
  --train_file good.json --max_seq_length 64 --doc_stride 64
tag qa.max-seq-length-high
expect_msg 2 "--max_seq_length 600 must be in [1, 512]" -- "${qa[@]}" --do_train --train_file good.json \
  --max_seq_length 600 --doc_stride 16
tag qa.n-best-size
expect_msg 2 "--n_best_size and --max_answer_length must be positive, got 0 and 30" -- "${qa[@]}" "${window[@]}" \
  --do_eval --validation_file good.json --n_best_size 0
tag qa.train-articles
expect_msg 2 "good.json: cannot split 1 articles after the first 5" -- "${qa[@]}" "${window[@]}" --do_train \
  --train_file good.json --train_articles 5

# ---- pretrain: text files and masking flags.
: > empty.txt
for i in $(seq 40); do echo "the quick brown fox jumps over the lazy dog, sentence number $i"; done > text.txt
echo "too short" > short.txt
pretrain=("$JPQD" pretrain --model_name_or_path bert-tiny --do_train --max_steps 1 --save_strategy no --disable_tqdm
          --output_dir out)
tag pretrain.empty-text
expect_msg 2 "the training files contain no text" -- "${pretrain[@]}" --max_seq_length 32 --train_file empty.txt
tag pretrain.missing-file
expect_msg 3 "no-such-text.txt: cannot open" -- "${pretrain[@]}" --max_seq_length 32 --train_file no-such-text.txt
tag pretrain.too-little-text
expect_msg 2 "no training block of 32 tokens could be formed" -- "${pretrain[@]}" --max_seq_length 32 \
  --train_file short.txt
tag pretrain.mlm-probability
expect_msg 2 "--mlm_probability must be in (0, 1], got 0" -- "${pretrain[@]}" --max_seq_length 32 \
  --train_file text.txt --mlm_probability 0
expect_msg 2 "--mlm_probability must be in (0, 1], got 1.5" -- "${pretrain[@]}" --max_seq_length 32 \
  --train_file text.txt --mlm_probability 1.5
tag pretrain.max-seq-length-high
expect_msg 2 "--max_seq_length 1000 exceeds max_position_embeddings 512" -- "${pretrain[@]}" --max_seq_length 1000 \
  --train_file text.txt
tag pretrain.validation-split
expect_msg 2 "--validation_split_percentage must be in [0, 100), got 150" -- "${pretrain[@]}" --max_seq_length 32 \
  --train_file text.txt --validation_split_percentage 150
tag pretrain.no-train-file
expect_msg 2 "--do_train needs --train_file" -- "${pretrain[@]}" --max_seq_length 32 --validation_file text.txt
tag pretrain.no-data
expect_msg 2 "give --train_file or --validation_file" -- "$JPQD" pretrain --model_name_or_path bert-tiny --do_eval \
  --output_dir out
tag pretrain.eval-too-short
expect_msg 2 "--do_eval: no held-out block of 32 tokens could be formed" -- "$JPQD" pretrain \
  --model_name_or_path bert-tiny --do_eval --output_dir out --max_seq_length 32 --validation_file short.txt
tag pretrain.unknown-shape
expect_msg 3 "bert-huge: not a checkpoint directory (config.json, model weights, tokenizer files) nor a named shape" \
  -- "$JPQD" pretrain --model_name_or_path bert-huge --do_train --output_dir out --train_file text.txt

# ---- predict.
printf 'foo\tbar\nx\ty\n' > wrong_columns.tsv
predict=("$JPQD" predict --model_name_or_path cls --output_dir out)
tag predict.missing-file
expect_msg 3 "no-such-test.tsv: GLUE sst2 file not found" -- "${predict[@]}" --task_name sst2 \
  --test_file no-such-test.tsv
tag predict.wrong-columns
expect_msg 4 'wrong_columns.tsv:1: not a GLUE sst2 file: the header has no column "sentence"' -- "${predict[@]}" \
  --task_name sst2 --test_file wrong_columns.tsv
tag predict.no-task
expect_msg 2 "give --task_name (cola, sst2, mrpc, qqp, stsb, mnli, qnli, rte, wnli) or --train_file" \
  -- "${predict[@]}"
tag predict.model-labels
expect_msg 2 "--model_name_or_path cls: the model has 2 outputs but stsb has 1 labels" -- "${predict[@]}" \
  --task_name stsb

# ---- export.
outputs=(out a_file/out readonly/out)
before=$(snapshot notrun)
tag export.not-a-run
expect_msg 3 "notrun: not a training output or checkpoint directory (no config.json)" -- "$JPQD" export notrun
unchanged notrun "$before"
tag export.truncated-weights
expect_msg 4 "trunc/model.safetensors: tensor bert.embeddings.word_embeddings.weight: data_offsets" \
  -- "$JPQD" export trunc --output_dir out
tag export.output-under-file
expect_msg 3 "a_file/out: cannot create directory (Not a directory)" -- "$JPQD" export cls --no_onnx \
  --output_dir a_file/out
# Checked before the model is read: a run with truncated weights reports the output, not its weights.
expect_msg 3 "a_file/out: cannot create directory (Not a directory)" -- "$JPQD" export trunc --output_dir a_file/out
# Root writes into a mode 0555 directory regardless, so this case only means something for other users.
if [ "$(id -u)" -eq 0 ]; then
  echo "== export.output-read-only: skipped (running as root, which directory permissions do not stop)"
else
  tag export.output-read-only
  mkdir readonly && chmod 555 readonly
  expect_msg 3 "readonly/out: cannot create directory (readonly is not writable: Permission denied)" \
    -- "$JPQD" export trunc --output_dir readonly/out
  expect_msg 3 "readonly: directory is not writable (Permission denied)" -- "$JPQD" export cls --output_dir readonly
  [ -z "$(ls -A readonly)" ] || fail "a failed export wrote into readonly: $(ls -A readonly)"
  chmod 755 readonly
fi

# ---- quantizers (prints only).
outputs=()
tag quantizers.no-config
expect_msg 2 "--nncf_compression_config is required (the model directory has no compression_config.json)" \
  -- "$JPQD" quantizers --model_name_or_path bert-tiny
tag quantizers.no-quantization
expect_msg 2 "sparsity_only.json: the config has no quantization algorithm" -- "$JPQD" quantizers \
  --model_name_or_path bert-tiny --nncf_compression_config sparsity_only.json
tag quantizers.task
expect_msg 2 '--task: expected sequence_classification or question_answering, got "token_classification"' \
  -- "$JPQD" quantizers --model_name_or_path bert-tiny --nncf_compression_config quantization.json \
  --task token_classification
cp -r cls badstate && cp quantization.json badstate/compression_config.json
head -c 50 cls/model.safetensors > badstate/compression_state.safetensors
tag quantizers.corrupt-state
expect_error 4 "badstate/compression_state.safetensors: header length [0-9]* runs past the end of the 50-byte file" \
  -- "$JPQD" quantizers --model_name_or_path badstate

# ---- convert.
outputs=(out)
mkdir -p full && echo keep > full/keep
before=$(snapshot full)
tag convert.output-not-empty
expect_msg 2 "--output_dir full exists and is not empty" -- "$JPQD" convert cls --output_dir full
unchanged full "$before"
tag convert.output-is-file
expect_msg 3 "--output_dir a_file exists and is not a directory" -- "$JPQD" convert cls --output_dir a_file
[ ! -s a_file ] || fail "convert wrote into a_file"
tag convert.dtype
expect_msg 2 "--torch_dtype must be float32, float16 or bfloat16, got int8" -- "$JPQD" convert cls --output_dir out \
  --torch_dtype int8
tag convert.missing-model
expect_msg 3 "no-such-model: not a checkpoint directory" -- "$JPQD" convert no-such-model --output_dir out
tag convert.no-vocab
expect_msg 3 "novocab: no tokenizer.json" -- "$JPQD" convert novocab --output_dir out

# ---- report.
outputs=(out notrun/report badtrainerstate/report)
cp -r cls badtrainerstate && rm -r badtrainerstate/report
echo '{"log_history": [' > badtrainerstate/trainer_state.json
tag report.not-a-run
expect_msg 3 "notrun: no trainer_state.json (is this the --output_dir of a jpqd training run?)" \
  -- "$JPQD" report notrun --report_dir out
tag report.missing-dir
expect_msg 3 "no-such-run: not a training output directory" -- "$JPQD" report no-such-run --report_dir out
tag report.corrupt-state
expect_msg 4 "badtrainerstate/trainer_state.json: invalid JSON at byte" -- "$JPQD" report badtrainerstate

# ---- eval (model.jpqd on the runtime).
outputs=(out.json out.jsonl)
eval_=("$JPQD" eval -m "$MODEL" --output out.json --predictions_file out.jsonl)
tag eval.task-labels
expect_msg 2 "cls/model.jpqd: the model has 2 outputs but stsb has 1 labels" -- "${eval_[@]}" --task_name stsb
tag eval.not-qa
expect_msg 2 "cls/model.jpqd: not a question-answering model" -- "${eval_[@]}" --task_name squad
tag eval.max-seq-length
expect_msg 2 "--max_seq_length 0 must be in [1, 512]" -- "${eval_[@]}" --task_name sst2 --max_seq_length 0
tag eval.batch-size
expect_msg 2 "--batch_size must be positive, got 0" -- "${eval_[@]}" --task_name sst2 -b 0
tag eval.threads
expect_msg 2 "--threads 100000 must be in [0, 1024]" -- "${eval_[@]}" --task_name sst2 --threads 100000
tag eval.missing-file
expect_msg 3 "no-such-dev.tsv: GLUE sst2 file not found" -- "${eval_[@]}" --task_name sst2 \
  --validation_file no-such-dev.tsv
tag eval.truncated-model
expect_msg 4 "truncated.jpqd: truncated at byte 3000" -- "$JPQD" eval -m truncated.jpqd --task_name sst2 \
  --output out.json
tag eval.output-dir-missing
expect_msg 3 "--output no-such-dir/out.json: the directory no-such-dir does not exist" -- "$JPQD" eval -m "$MODEL" \
  --task_name sst2 --max_eval_samples 4 --predictions_file out.jsonl --output no-such-dir/out.json

# ---- benchmark.
bench=("$JPQD" benchmark -m "$MODEL" -t 1 --warmup 0 --json_stats out.json)
tag benchmark.hint
expect_msg 2 '-hint: expected throughput or latency, got "fast"' -- "${bench[@]}" -hint fast
tag benchmark.seq-len
expect_msg 2 "--seq_len 0 must be in [1, 512]" -- "${bench[@]}" --seq_len 0
tag benchmark.batch
expect_msg 2 "-b must be positive, got 0" -- "${bench[@]}" -b 0
tag benchmark.niter
expect_msg 2 "-t, -niter and --warmup must not be negative" -- "${bench[@]}" -niter -3
tag benchmark.nstreams
expect_msg 2 "--nstreams 100000 must be in [0, 1024]" -- "${bench[@]}" -nstreams 100000
tag benchmark.threads
expect_msg 2 "--threads 100000 must be in [0, 1024]" -- "${bench[@]}" -hint latency --threads 100000
tag benchmark.missing-model
expect_msg 3 "no-such.jpqd: cannot open model file: No such file or directory" -- "$JPQD" benchmark -m no-such.jpqd \
  --json_stats out.json
tag benchmark.input-line
echo '{"txt": "a review"}' > not_text.jsonl
expect_msg 2 "not_text.jsonl:1: expected an object with a string \"text\"" -- "${bench[@]}" -i not_text.jsonl
tag benchmark.input-empty
: > no_text.jsonl
expect_msg 2 "-i no_text.jsonl: no text in the file" -- "${bench[@]}" -i no_text.jsonl
tag benchmark.input-missing
expect_msg 3 "no-such.jsonl: cannot open the input file" -- "${bench[@]}" -i no-such.jsonl
tag benchmark.report-dir-missing
expect_msg 3 "--report_csv no-such-dir/out.csv: the directory no-such-dir does not exist" -- "${bench[@]}" \
  --report_csv no-such-dir/out.csv

# ---- inspect (and every reader of model.jpqd: eval and benchmark share it).
outputs=()
tag inspect.truncated
expect_msg 4 "truncated.jpqd: truncated at byte 3000: metadata and tensor table end at byte" \
  -- "$JPQD" inspect truncated.jpqd
tag inspect.not-jpqd
expect_msg 4 "notjpqd.jpqd: not a jpqd model file (bad magic at byte 0)" -- "$JPQD" inspect notjpqd.jpqd
tag inspect.checksum
expect_msg 4 "flipped.jpqd: checksum mismatch" -- "$JPQD" inspect flipped.jpqd
tag inspect.version
expect_msg 4 "version.jpqd: unsupported format version 4294967295 (this build reads version 1)" \
  -- "$JPQD" inspect version.jpqd
tag inspect.missing
expect_msg 3 "no-such.jpqd: cannot open model file" -- "$JPQD" inspect no-such.jpqd

# ---- data-parallel training (the 2-rank cases run in data_parallel_equivalence.sh, launch's own in launch.sh).
glue=("$JPQD" glue --train_file train.tsv --validation_file train.tsv --do_train --max_steps 1 --save_strategy no
      --disable_tqdm --output_dir out --model_name_or_path bert-tiny)
outputs=(out)
tag distributed.no-cuda
expect_msg 2 "--device cuda: this LibTorch build has no CUDA or sees no GPU; use --device cpu (or --no_cuda)" -- \
  "${glue[@]}" --device cuda
tag distributed.timeout
expect_msg 2 "--ddp_timeout must be positive (seconds), got 0" -- "${glue[@]}" --ddp_timeout 0
tag distributed.half-configured
expect_msg 2 "environment variable WORLD_SIZE=2 is set but RANK is not" -- env WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 \
  MASTER_PORT=29513 "${glue[@]}"
tag distributed.local-world-size
expect_msg 2 "environment variable LOCAL_WORLD_SIZE=4 must be in [LOCAL_RANK+1, WORLD_SIZE] = [1, 2]" -- env RANK=0 \
  WORLD_SIZE=2 LOCAL_RANK=0 LOCAL_WORLD_SIZE=4 MASTER_ADDR=127.0.0.1 MASTER_PORT=29513 "${glue[@]}"
tag distributed.rank-missing
expect_msg 3 "could not join the distributed group at 127.0.0.1:29514 as rank 0 of 2 within 2 s" -- env RANK=0 \
  WORLD_SIZE=2 LOCAL_RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=29514 "${glue[@]}" --ddp_timeout 2

echo "error catalogue: $cases kinds of bad input rejected cleanly"
