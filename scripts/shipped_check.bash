# The check recorded for a shipped model (scripts/pretrain_models.sh ship) and recomputed from the shipped files
# (tests/integration/shipped_models.sh): both source this file, so the two use the same flags.
# A masked LM: its loss on the SST-2 dev sentences with a fixed masking seed. A classifier: SST-2 dev accuracy.
shipped_mlm_check=(--line_by_line --max_seq_length 64 --do_eval --per_device_eval_batch_size 64 --seed 1
                   --overwrite_output_dir --disable_tqdm)
shipped_glue_check=(--task_name sst2 --max_seq_length 128 --do_eval --per_device_eval_batch_size 64 --seed 1
                    --overwrite_output_dir --disable_tqdm)
# sst2_dev_sentences <source dir> <output file>: the dev sentences, one per line, as masked-LM text.
sst2_dev_sentences() { tail -n +2 "$1/data/glue/SST-2/dev.tsv" | cut -f1 >"$2"; }
