"""Compares `jpqd tokenize` output with the oracle's, line by line, on input_ids, token_type_ids,
attention_mask and tokens; prints the first differences with their input and exits 1 on any.

    python3 compare.py <label> <inputs.jsonl> <oracle.jsonl> <jpqd.jsonl>
"""
import json
import re
import sys

KEYS = ["input_ids", "token_type_ids", "attention_mask", "tokens"]
# jpqd also prints offsets, which the oracle does not (its offsets count characters, jpqd's bytes).
OFFSETS = re.compile(r'"offsets":\[[^"]*?\]\],|"offsets":\[\],')


def lines(path):
    return [l for l in open(path, encoding="utf-8").read().split("\n") if l]


def main(label, inputs_path, oracle_path, jpqd_path):
    inputs, oracle, jpqd = lines(inputs_path), lines(oracle_path), lines(jpqd_path)
    if not (len(inputs) == len(oracle) == len(jpqd)):
        print(f"{label}: {len(inputs)} inputs, {len(oracle)} oracle lines, {len(jpqd)} jpqd lines")
        return 1
    bad = 0
    for i, (x, want_line, got_line) in enumerate(zip(inputs, oracle, jpqd)):
        # Equal text is equal content; anything else is parsed and compared key by key.
        if OFFSETS.sub("", got_line, count=1) == want_line:
            continue
        x, want, got = json.loads(x), json.loads(want_line), json.loads(got_line)
        diff = [k for k in KEYS if want.get(k) != got.get(k)]
        if not diff:
            continue
        bad += 1
        if bad <= 3:
            print(f"{label}: line {i + 1} differs in {diff}: input {json.dumps(x, ensure_ascii=False)[:300]}")
            for k in diff:
                print(f"  oracle {k}: {json.dumps(want.get(k), ensure_ascii=False)[:400]}")
                print(f"  jpqd   {k}: {json.dumps(got.get(k), ensure_ascii=False)[:400]}")
    print(f"{label}: {len(inputs) - bad}/{len(inputs)} identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
