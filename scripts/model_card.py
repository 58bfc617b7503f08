#!/usr/bin/env python3
"""Writes README.md, the model card of a shipped model (scripts/pretrain_models.sh ship): what the model is,
the exact command and data it was made from, and the figures its run measured, all read from the run
directory so the card cannot drift from the files next to it.

usage: model_card.py RUN_DIR SHIPPED_DIR NAME STAGES CORPUS_DIR [PRETRAINING_RUN_DIR]

STAGES: the scripts/pretrain_models.sh stages that made the model, in order, space-separated. A fine-tuned model
names the masked-LM run it started from as PRETRAINING_RUN_DIR, whose held-out loss the card reports too.
"""
import hashlib
import json
import os
import struct
import subprocess
import sys


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def parameter_count(safetensors_path):
    with open(safetensors_path, "rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len))
    total = 0
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        n = 1
        for d in entry["shape"]:
            n *= d
        total += n
    return total


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    run, shipped, name, stages, corpus = sys.argv[1:6]
    pretraining_run = sys.argv[6] if len(sys.argv) > 6 else None
    pretraining = load(os.path.join(pretraining_run, "eval_results.json"), {}) if pretraining_run else {}
    config = load(os.path.join(shipped, "config.json"))
    args = load(os.path.join(run, "training_args.json"), {})
    state = load(os.path.join(run, "trainer_state.json"), {})
    evaluation = load(os.path.join(run, "eval_results.json"), {})
    history = state.get("log_history", [])
    losses = [e for e in history if "loss" in e]
    evals = [e for e in history if "eval_loss" in e]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()

    arch = config["architectures"][0]
    lines = [
        f"# {name}",
        "",
        f"A {arch} with {config['num_hidden_layers']} layers, hidden size {config['hidden_size']}, "
        f"{config['num_attention_heads']} heads, intermediate size {config['intermediate_size']} and the "
        f"bert-base-uncased vocabulary ({config['vocab_size']:,} word pieces): "
        f"{parameter_count(os.path.join(shipped, 'model.safetensors')) / 1e6:.1f} M parameters, stored in "
        f"{config.get('torch_dtype', 'float32')}.",
        "",
        "Made on two CPU cores by jpqd itself; no weights from elsewhere went into it.",
        "",
        "## How it was made",
        "",
        "```sh",
        *[f"scripts/pretrain_models.sh {stage}" for stage in stages.split()],
        f"scripts/pretrain_models.sh ship   # at jpqd commit {commit}",
        "```",
        "",
        "The training arguments as the run recorded them are in `training_args.json`, its log history in "
        "`trainer_state.json` and the whole log in `train.log.gz`"
        + (" (the masked-LM stage's in `pretrain.log.gz`)." if pretraining_run else "."),
        "",
    ]
    masked_lm = arch == "BertForMaskedLM"
    if not masked_lm:
        lines += ["Fine-tuned on all 67,349 sentences of SST-2's training set (`data/glue/SST-2/train.tsv`), "
                  "after masked-LM pretraining on these IMDB reviews (one per line; the test reviews were not used):",
                  ""]
    else:
        lines += ["Masked-language-model data (one review per line; the test reviews were not used):", ""]
    for f in ("imdb_train_labeled_25k.txt", "imdb_unsup_part1_25k.txt", "imdb_unsup_part2_25k.txt"):
        path = os.path.join(corpus, f)
        digest = sha256(path) if os.path.exists(path) else "(not present when shipped)"
        lines.append(f"- `{f}`, sha256 `{digest}`")
    lines.append("")
    lines += ["## What the run measured", "", "| | |", "|---|---|"]
    lines.append(f"| optimizer steps | {state.get('global_step', '?'):,} of batch "
                 f"{args.get('per_device_train_batch_size', '?')} |")
    warmup = (f"{args['warmup_steps']} steps" if args.get("warmup_steps")
              else f"{100 * args.get('warmup_ratio', 0):g}% of the steps")
    lines.append(f"| learning rate, warm-up | {args.get('learning_rate', '?')}, {warmup}, "
                 f"{args.get('lr_scheduler_type', '?')} decay |")
    if "eval_loss" in pretraining:
        lines.append(f"| masked-LM held-out loss before fine-tuning | {pretraining['eval_loss']:.4f} |")
    if losses:
        last = losses[-1]
        lines.append(f"| training loss, last logged (step {last['step']:,}) | {last['loss']:.3f} |")
    if "eval_loss" in evaluation:
        lines.append(f"| {'held-out' if masked_lm else 'SST-2 dev'} loss | {evaluation['eval_loss']:.4f} |")
    if "perplexity" in evaluation:
        lines.append(f"| held-out perplexity | {evaluation['perplexity']:.1f} |")
    if "eval_accuracy" in evaluation:
        lines.append(f"| SST-2 dev accuracy | {100 * evaluation['eval_accuracy']:.2f}% |")
    if evals and "eval_loss" not in evaluation:
        lines.append(f"| held-out loss, last evaluation | {evals[-1]['eval_loss']:.4f} |")
    check = load(os.path.join(shipped, "shipped_check.json"), {})
    if "perplexity" in check:
        lines.append(f"| masked-LM loss on the SST-2 dev sentences (`shipped_check.json`) | {check['eval_loss']:.4f} "
                     f"(perplexity {check['perplexity']:.1f}) |")
    if "eval_accuracy" in check:
        lines.append(f"| SST-2 dev accuracy of these float16 files (`shipped_check.json`) | "
                     f"{100 * check['eval_accuracy']:.2f}% |")
    if masked_lm:
        lines += ["", "Whether it fine-tunes better than a random model of its shape: "
                  f"`bench/pretrain/finetune_gain.sh models/{name}`; the measured figures are in docs/RESULTS.md "
                  "(\"Pretraining the student\")."]
    lines += ["", "`SHA256SUMS` lists every file here; `tests/integration/shipped_models.sh` checks them and "
              "that the model loads and does what this card says.", ""]
    with open(os.path.join(shipped, "README.md"), "w") as out:
        out.write("\n".join(lines))


if __name__ == "__main__":
    main()
