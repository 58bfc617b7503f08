# A short run on the shipped SST-2 learns: a randomly initialised bert-tiny trained on 8,000 sentences
# reaches well above chance (50.9% = majority class) on the dev set, and writes HF's output files. The run is
# the fixture sst2_tiny_8000 (tests/integration/fixtures.bash), which qat_sst2_within_fp32 starts from too.
source "$(dirname "$0")/lib.bash"
out=$(fixture sst2_tiny_8000)
for f in config.json model.safetensors vocab.txt tokenizer_config.json trainer_state.json train_results.json \
         eval_results.json all_results.json; do
  [ -s "$out/$f" ] || fail "missing $f"
done
acc=$(json_value "$out/eval_results.json" eval_accuracy)
echo "SST-2 dev accuracy after 2 epochs on 8,000 sentences: $acc"
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$acc') >= 0.65 else 1)" || fail "accuracy $acc is not well above chance"
