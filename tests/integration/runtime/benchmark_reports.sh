# `jpqd benchmark` on the checked-in tiny models (no training, so it also runs in a runtime-only build):
#  1. the json and csv reports carry every statistic benchmark_app reports, agree with each other, and count exactly
#     -niter requests whatever the warm-up and the number of streams;
#  2. warm-up is outside the timed window. The script first measures how long W requests take (W_s); a run
#     with --warmup W must then report a duration far below W_s, both under -niter and under -t, and a -t run
#     must not have spent its budget in warm-up. The margins are halves of W_s (at least 0.4 s), so only a
#     warm-up that is timed fails them, not a busy machine.
source "$(dirname "$0")/../lib.bash"
MODEL="$SRC/tests/fixtures/runtime/tiny_int8_cls.jpqd"
bench() { "$JPQD" benchmark -m "$MODEL" --seq_len 8 -b 2 "$@" >>"$WORK/bench.log" 2>&1 || { cat "$WORK/bench.log"; fail "benchmark $*"; }; }

check_reports() {  # check_reports <json> <csv> <expected count>
  /usr/bin/python3 - "$@" <<'PY' || fail "benchmark reports $1 $2"
import csv, json, math, sys
json_path, csv_path, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
stats = json.load(open(json_path))
rows = list(csv.DictReader(open(csv_path)))
assert len(rows) == 1, f"csv: expected one row, got {len(rows)}"
keys = ["count", "duration_s", "latency_median_ms", "latency_avg_ms", "latency_min_ms", "latency_max_ms",
        "latency_p90_ms", "latency_p99_ms", "throughput_sequences_per_s", "peak_memory_mb"]
for k in keys:
    assert k in stats, f"json lacks {k}: {sorted(stats)}"
    assert k in rows[0], f"csv lacks {k}: {sorted(rows[0])}"
    assert math.isclose(float(rows[0][k]), float(stats[k]), rel_tol=1e-9), (k, rows[0][k], stats[k])
s = stats
assert s["count"] == want, f"count {s['count']}, expected {want} (warm-up requests must not be counted)"
assert 0 < s["latency_min_ms"] <= s["latency_median_ms"] <= s["latency_p90_ms"] <= s["latency_p99_ms"] <= s["latency_max_ms"], s
assert s["latency_min_ms"] <= s["latency_avg_ms"] <= s["latency_max_ms"], s
# Requests run back to back on each stream, so the run lasts at least the sum of latencies over the streams.
assert s["duration_s"] * 1000 >= s["count"] * s["latency_avg_ms"] / s["streams"] * 0.999, s
assert math.isclose(s["throughput_sequences_per_s"], s["count"] * s["batch"] / s["duration_s"], rel_tol=1e-9), s
assert s["peak_memory_mb"] > 0, s
PY
}

# 1. Reports, latency hint (one stream) and throughput hint with two streams sharing one -niter budget.
bench --hint latency --threads 1 -niter 5 --warmup 3 --json_stats "$WORK/a.json" --report_csv "$WORK/a.csv"
check_reports "$WORK/a.json" "$WORK/a.csv" 5
bench --hint throughput --nstreams 2 --threads 2 -niter 7 --warmup 2 --json_stats "$WORK/b.json" --report_csv "$WORK/b.csv"
check_reports "$WORK/b.json" "$WORK/b.csv" 7
[ "$(json_value "$WORK/b.json" streams)" = 2 ] || fail "--nstreams 2 ran $(json_value "$WORK/b.json" streams) streams"

# 2. What W requests cost on this machine now: double W until they take at least 0.8 s.
W=500
while :; do
  bench --hint latency --threads 1 -niter "$W" --warmup 0 --json_stats "$WORK/w.json"
  W_s=$(json_value "$WORK/w.json" duration_s)
  /usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 0.8 else 1)" "$W_s" && break
  W=$((W * 2))
  [ "$W" -le 256000 ] || fail "requests too fast to time ($W in $W_s s)"
done
bench --hint latency --threads 1 -niter 5 --warmup "$W" --json_stats "$WORK/n.json" --report_csv "$WORK/n.csv"
check_reports "$WORK/n.json" "$WORK/n.csv" 5
T=$(/usr/bin/python3 -c "print(float('$W_s') / 4)")
bench --hint latency --threads 1 -t "$T" --warmup "$W" --json_stats "$WORK/t.json"
/usr/bin/python3 - "$W" "$W_s" "$T" "$WORK/n.json" "$WORK/t.json" <<'PY' || fail "warm-up is timed"
import json, sys
W, W_s, T = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
n, t = json.load(open(sys.argv[4])), json.load(open(sys.argv[5]))
print(f"{W} requests take {W_s:.3f} s; after {W} warm-up requests: -niter 5 lasted {n['duration_s']:.4f} s, "
      f"-t {T:.3f} lasted {t['duration_s']:.3f} s with {t['count']} requests")
assert n["duration_s"] < W_s / 2, "the -niter run's duration includes its warm-up"
assert t["duration_s"] < T + W_s / 2, "the -t run's duration includes its warm-up"
# Had the warm-up used up the -t budget, one request would have run; T holds about W/4 requests.
assert t["count"] > W // 16, f"the -t budget was spent in warm-up: {t['count']} requests"
PY
echo "benchmark reports: json and csv complete, warm-up untimed"
