"""The Python side of bench/python/run.sh's overhead measurement: jpqd.Model.predict on one short text, the
call cpp_predict.cc times from C++; prints one JSON line of per-call latencies (µs).

    overhead.py MODEL.jpqd TEXT THREADS ITERATIONS WARMUP
"""
import json
import sys
import time

import jpqd


def main():
    path, text, threads, iterations, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    model = jpqd.Model(path, threads=threads)
    texts = [text]
    for _ in range(warmup):
        model.predict(texts)
    us = []
    clock = time.perf_counter
    for _ in range(iterations):
        t0 = clock()
        model.predict(texts)
        us.append((clock() - t0) * 1e6)
    us.sort()
    print(json.dumps({"engine": "python", "median_us": us[len(us) // 2], "mean_us": sum(us) / len(us),
                      "p10_us": us[len(us) // 10], "p90_us": us[len(us) * 9 // 10], "iterations": iterations}))


if __name__ == "__main__":
    main()
