# scripts/reproduce_sst2.sh and scripts/reproduce_squad.sh end to end at toy scale (random bert-tiny models, a
# few dozen examples, 2 seeds): every run trains, exports and is evaluated deployed, and each table row carries
# the mean of the deployed evaluations over the seeds and the size ratio of the exported files.
source "$(dirname "$0")/lib.bash"
build=$(dirname "$(dirname "$JPQD")")
seeds="1 2"

OUT="$WORK/sst2" BUILD="$build" STUDENT=bert-tiny TEACHER=bert-tiny SEEDS="$seeds" SAMPLES=256 EPOCHS=3 SEQ=32 \
  LR=1e-3 BATCH=32 BENCH_SECONDS=1 BENCH_ROUNDS=1 bash "$SRC/scripts/reproduce_sst2.sh" >"$WORK/sst2.out" \
  2>"$WORK/sst2.log" || { tail -20 "$WORK/sst2.log"; fail "reproduce_sst2.sh"; }
OUT="$WORK/squad" BUILD="$build" STUDENT=bert-tiny TEACHER_INIT=bert-tiny SEEDS="$seeds" TRAIN_ARTICLES=2 \
  MAX_TRAIN_SAMPLES=64 MAX_EVAL_SAMPLES=40 EPOCHS=5 SEQ=128 DOC_STRIDE=64 BATCH=16 \
  bash "$SRC/scripts/reproduce_squad.sh" >"$WORK/squad.out" 2>"$WORK/squad.log" ||
  { tail -20 "$WORK/squad.log"; fail "reproduce_squad.sh"; }

/usr/bin/python3 - "$WORK" "$seeds" <<'PY' || fail "a reproduce table disagrees with its runs"
import json, os, statistics, sys
work, seeds = sys.argv[1], sys.argv[2].split()

def rows(table):
    lines = [l for l in open(table) if l.startswith("| ") and not l.startswith("| model")]
    return {l.split("|")[1].strip(): [c.strip() for c in l.split("|")[2:-1]] for l in lines}

def mean_of(out, variant, key, scale):
    return statistics.mean(scale * json.load(open(f"{out}/seed{s}/{variant}/deployed_eval.json"))[key] for s in seeds)

def compression(out, variant):
    first = f"{out}/seed{seeds[0]}"
    return os.path.getsize(f"{first}/fp32/model.jpqd") / os.path.getsize(f"{first}/{variant}/model.jpqd")

sst2 = rows(f"{work}/sst2/table.md")
variants = {"FP32 baseline": "fp32", "INT8 QAT": "qat", "INT8 JPQD": "jpqd", "INT8 JPQD, λ 0.5": "jpqd_mini"}
assert list(sst2) == list(variants), sst2
for name, variant in variants.items():
    accuracy, _, _, ratio = sst2[name][:4]
    assert abs(float(accuracy.split()[0]) - mean_of(f"{work}/sst2", variant, "eval_accuracy", 100)) < 0.006, name
    assert float(ratio.rstrip("x")) == round(compression(f"{work}/sst2", variant), 2), name
    assert sst2[name][4] != "-", f"{name}: no jpqd throughput"
# INT8 files are about a quarter of the FP32 ones.
assert compression(f"{work}/sst2", "qat") > 3, compression(f"{work}/sst2", "qat")

squad = rows(f"{work}/squad/table.md")
assert len(squad) == 3, squad
for (name, cells), variant in zip(squad.items(), ("teacher", "fp32", "jpqd")):
    em, f1 = float(cells[0].split()[0]), float(cells[1].split()[0])
    assert abs(em - mean_of(f"{work}/squad", variant, "eval_exact_match", 1)) < 0.006, name
    assert abs(f1 - mean_of(f"{work}/squad", variant, "eval_f1", 1)) < 0.006, name
assert json.load(open(f"{work}/squad/seed1/jpqd/export.json"))["quantized"]
print("reproduce tables match their runs")
PY
echo "reproduce scripts: ok"
