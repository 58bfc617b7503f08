#!/usr/bin/env python3
"""Markdown tables from bench/peers/run.sh's results.jsonl and bench_int8_linear's JSON (standard library).

Throughput: median over rounds of sequences/s. Ratios are paired: computed within a round, where the
engines ran back to back on the same model, then the median over rounds.
"""
import json
import re
import statistics
import sys
from collections import defaultdict

ENGINES = ("jpqd", "onnxruntime", "libtorch")
VARIANTS = ("fp32_dense", "int8_dense", "int8_pruned")


def peers(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    if not rows:  # ROUNDS=0: only the linear micro-benchmark was run
        return
    seqs = defaultdict(dict)  # (shape, batch, variant, engine) -> {round: seq/s}
    for r in rows:
        seqs[(r["shape"], r["batch"], r["variant"], r["engine"])][r["round"]] = r["sequences_per_s"]
    groups = list(dict.fromkeys((r["shape"], r["batch"]) for r in rows))
    rounds = max(r["round"] for r in rows)
    threads = rows[0]["threads"]
    seconds = rows[0]["seconds"]

    def med(key):
        v = seqs.get(key)
        return statistics.median(v.values()) if v else None

    def ratio(a, b):
        ra, rb = seqs.get(a, {}), seqs.get(b, {})
        paired = [ra[k] / rb[k] for k in ra if k in rb]
        return statistics.median(paired) if paired else None

    fmt = lambda x, spec=".1f": "-" if x is None else format(x, spec)
    print(f"Sequence length 128, {threads} threads, {seconds} s per measurement, {rounds} interleaved rounds; "
          "sequences/s, median over rounds.\n")
    print("| shape | batch | model | jpqd runtime | ONNX Runtime | LibTorch FP32 | jpqd / ORT (paired) |")
    print("|---|---|---|---|---|---|---|")
    for shape, batch in groups:
        for v in VARIANTS:
            k = lambda e: (shape, batch, v, e)
            print(f"| {shape} | {batch} | {v} | {fmt(med(k('jpqd')))} | {fmt(med(k('onnxruntime')))} | "
                  f"{fmt(med(k('libtorch')))} | {fmt(ratio(k('jpqd'), k('onnxruntime')), '.2f')}x |")

    print("\n| shape | batch | target | measured (paired, median) | met |")
    print("|---|---|---|---|---|")
    for shape, batch in groups:
        k = lambda v, e: (shape, batch, v, e)
        checks = [
            ("our INT8 dense / our FP32 dense >= 3x", ratio(k("int8_dense", "jpqd"), k("fp32_dense", "jpqd")), 3.0),
            ("our INT8 dense / ORT INT8 dense >= 1.2x", ratio(k("int8_dense", "jpqd"), k("int8_dense", "onnxruntime")), 1.2),
            ("our INT8 pruned / ORT INT8 pruned >= 1.2x",
             ratio(k("int8_pruned", "jpqd"), k("int8_pruned", "onnxruntime")), 1.2),
            ("our FP32 dense / ORT FP32 dense >= 1x", ratio(k("fp32_dense", "jpqd"), k("fp32_dense", "onnxruntime")), 1.0),
            ("(info) our INT8 pruned / our INT8 dense", ratio(k("int8_pruned", "jpqd"), k("int8_dense", "jpqd")), None),
            ("(info) ORT INT8 pruned / ORT INT8 dense",
             ratio(k("int8_pruned", "onnxruntime"), k("int8_dense", "onnxruntime")), None),
            ("(info) ORT INT8 dense / ORT FP32 dense",
             ratio(k("int8_dense", "onnxruntime"), k("fp32_dense", "onnxruntime")), None),
            ("(info) our FP32 dense / LibTorch FP32", ratio(k("fp32_dense", "jpqd"), k("fp32_dense", "libtorch")), None),
        ]
        for name, value, target in checks:
            met = "-" if target is None or value is None else ("yes" if value >= target else "NO")
            print(f"| {shape} | {batch} | {name} | {fmt(value, '.2f')}x | {met} |")


def linear(path):
    data = json.load(open(path))
    reps = defaultdict(lambda: defaultdict(list))  # (M, K, N) -> kind -> [GOP/s of each repetition]
    label = {}
    for b in data["benchmarks"]:
        if b.get("run_type") != "iteration":
            continue
        m = re.match(r"BM_(\w+)/(\d+)/(\d+)/(\d+)", b["name"])
        if not m:
            continue
        reps[tuple(int(x) for x in m.group(2, 3, 4))][m.group(1)].append(b["GOP/s"])
        if b.get("label"):
            label[m.group(1)] = b["label"]
    n = max(len(v) for g in reps.values() for v in g.values())
    print(f"\nINT8 Linear vs the bare oneDNN INT8 GEMM ({n} repetitions each, randomly interleaved; GOP/s = "
          f"2 M K N / time; median and best of the repetitions). Peak: {label.get('OneDnnInt8GemmPeak', '?')}; "
          f"ours: {label.get('OurInt8Linear', '?')}.\n")
    print("| M (128 x batch) | K | N | oneDNN INT8 GEMM peak, median / best | our INT8 Linear, median / best | "
          "ours / peak, median / best (target >= 0.60) | our FP32 Linear, median | INT8 / FP32 Linear, median |")
    print("|---|---|---|---|---|---|---|---|")
    for (m, k, n), g in sorted(reps.items()):
        peak, ours, fp32 = g["OneDnnInt8GemmPeak"], g["OurInt8Linear"], g["OurFp32Linear"]
        r_med = statistics.median(ours) / statistics.median(peak)
        r_best = max(ours) / max(peak)
        print(f"| {m} | {k} | {n} | {statistics.median(peak):.0f} / {max(peak):.0f} | "
              f"{statistics.median(ours):.0f} / {max(ours):.0f} | {r_med:.2f} / {r_best:.2f} "
              f"{'yes' if r_med >= 0.6 else 'NO'} | {statistics.median(fp32):.0f} | "
              f"{statistics.median(ours) / statistics.median(fp32):.2f}x |")


if __name__ == "__main__":
    peers(sys.argv[1] if len(sys.argv) > 1 else "/tmp/jpqd_peers/results.jsonl")
    for linear_json in sys.argv[2:]:
        linear(linear_json)
