#!/usr/bin/env python3
"""Markdown tables from bench/train_step/compare.sh's results.jsonl (standard library only).

Throughput is the median over rounds of each case's tokens/s (each run reports the median of its timed
steps). Ratios are paired: computed within a round, where the cases ran back to back, then the median
over rounds, so slow phases of a shared machine cancel out.
"""
import json
import statistics
import sys
from collections import defaultdict


def main(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    tps = defaultdict(dict)  # (shape, case, env) -> {round: tokens/s}
    meta = {}
    for r in rows:
        tps[(r["shape"], r["case"], r["env"])][r["round"]] = r["result"]["tokens_per_s"]
        meta[r["shape"]] = (r["result"]["batch"], r["result"]["seq"], r["result"]["threads"], r["result"]["steps"])
    shapes = list(dict.fromkeys(r["shape"] for r in rows))
    rounds = ", ".join(f'{s} {max(r["round"] for r in rows if r["shape"] == s)}' for s in shapes)

    def ratio(shape, a, b):
        """median over rounds of tokens/s(a) / tokens/s(b); a, b are (case, env)."""
        ra, rb = tps[(shape,) + a], tps[(shape,) + b]
        paired = [ra[k] / rb[k] for k in ra if k in rb]
        return statistics.median(paired) if paired else float("nan")

    print(f"Training step, sequence length 128, interleaved rounds: {rounds}; tokens/s = batch x 128 / median step "
          "time.\n")
    print("| shape | batch | steps/run | case | threads env | tokens/s (median of rounds) | min..max over rounds |")
    print("|---|---|---|---|---|---|---|")
    for shape in shapes:
        batch, seq, threads, steps = meta[shape]
        for (s, case, env), by_round in tps.items():
            if s != shape:
                continue
            v = sorted(by_round.values())
            print(f"| {shape} | {batch} | {steps} | {case} | {env} | {statistics.median(v):.0f} | {v[0]:.0f}..{v[-1]:.0f} |")
    print("\n| shape | comparison | paired ratio (median) | target | met |")
    print("|---|---|---|---|---|")
    for shape in shapes:
        checks = [
            ("jpqd / PyTorch eager, default threads", ratio(shape, ("jpqd_plain", "default"), ("pytorch_eager", "default")),
             ">= 1.00", lambda x: x >= 1.0),
            ("jpqd / PyTorch eager, passive threads", ratio(shape, ("jpqd_plain", "passive"), ("pytorch_eager", "passive")),
             ">= 1.00", lambda x: x >= 1.0),
        ]
        plain = ("jpqd_plain", "passive")
        ms = ratio(shape, plain, ("jpqd_movement_sparsity", "passive")) - 1.0
        ms_qat = ratio(shape, plain, ("jpqd_movement_sparsity_qat", "passive")) - 1.0
        full = ratio(shape, plain, ("jpqd_full_jpqd", "passive")) - 1.0
        for name, value, target, ok in checks:
            print(f"| {shape} | {name} | {value:.2f}x | {target} | {'yes' if ok(value) else 'NO'} |")
        print(f"| {shape} | movement sparsity (in warm-up) step-time overhead vs plain | {100 * ms:+.1f}% | <= 15% | "
              f"{'yes' if ms <= 0.15 else 'NO'} |")
        print(f"| {shape} | movement sparsity + QAT (no teacher) step-time overhead vs plain | {100 * ms_qat:+.1f}% | "
              f"(recorded) | - |")
        print(f"| {shape} | full JPQD step (+QAT, +teacher forward) step-time overhead vs plain | {100 * full:+.1f}% | "
              f"(recorded) | - |")
        for case in ("jpqd_plain", "jpqd_full_jpqd"):
            if (shape, case + "_bf16", "passive") in tps:
                r = ratio(shape, (case + "_bf16", "passive"), (case, "passive"))
                print(f"| {shape} | {case}: bf16 autocast / float32 | {r:.2f}x | (recorded) | - |")
        for case in ("pytorch_eager", "jpqd_plain"):
            r = ratio(shape, (case, "passive"), (case, "default"))
            print(f"| {shape} | {case}: passive / default threads | {r:.2f}x | (investigation) | - |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/jpqd_train_step/results.jsonl")
