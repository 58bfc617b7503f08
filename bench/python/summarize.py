"""Markdown tables of bench/python/run.sh's results.jsonl: medians over rounds, and ratios taken within each
round (the engines of a round ran back to back) before the median."""
import json
import statistics
import sys
from collections import defaultdict


def main():
    rows = [json.loads(l) for l in open(sys.argv[1])]
    over = defaultdict(dict)
    for r in rows:
        if r["kind"] == "overhead":
            over[(r["model"], r["round"])][r["engine"]] = r
    print("| model | C++ Session::predict, median µs | jpqd.Model.predict, median µs | Python overhead, µs | relative |")
    print("|---|---:|---:|---:|---:|")
    for model in sorted({m for m, _ in over}):
        rounds = [v for (m, _), v in over.items() if m == model and {"cpp", "python"} <= set(v)]
        cpp = statistics.median(v["cpp"]["median_us"] for v in rounds)
        py = statistics.median(v["python"]["median_us"] for v in rounds)
        diff = statistics.median(v["python"]["median_us"] - v["cpp"]["median_us"] for v in rounds)
        rel = statistics.median(v["python"]["median_us"] / v["cpp"]["median_us"] - 1 for v in rounds)
        print(f"| {model} | {cpp:.1f} | {py:.1f} | {diff:+.1f} | {rel * 100:+.1f}% |")
    print()
    thr = defaultdict(dict)
    for r in rows:
        if r["kind"] == "throughput":
            thr[(r["model"], r["batch"], r["round"])][r["engine"]] = r
    print("| model | batch | jpqd.Model.predict, seq/s (text in) | jpqd.Model.run, seq/s (ids in) | "
          "ONNX Runtime, seq/s (ids in) | predict / ORT | run / ORT |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for model, batch in sorted({(m, b) for m, b, _ in thr}):
        rounds = [v for (m, b, _), v in thr.items() if (m, b) == (model, batch) and {"jpqd", "onnxruntime"} <= set(v)]
        med = lambda f: statistics.median(f(v) for v in rounds)
        print(f"| {model} | {batch} | {med(lambda v: v['jpqd']['predict_sequences_per_s']):.1f} | "
              f"{med(lambda v: v['jpqd']['run_sequences_per_s']):.1f} | "
              f"{med(lambda v: v['onnxruntime']['sequences_per_s']):.1f} | "
              f"{med(lambda v: v['jpqd']['predict_sequences_per_s'] / v['onnxruntime']['sequences_per_s']):.2f}x | "
              f"{med(lambda v: v['jpqd']['run_sequences_per_s'] / v['onnxruntime']['sequences_per_s']):.2f}x |")


if __name__ == "__main__":
    main()
